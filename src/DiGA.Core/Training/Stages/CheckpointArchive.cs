using System.Buffers.Binary;
using System.IO.Compression;
using DiGA.Core.Foundation;
using TorchSharp;

namespace DiGA.Core.Training.Stages;

/// <summary>Reads and atomically writes checkpoint files: zip archives of named binary entries.</summary>
/// <remarks>
/// Reading never trusts a size it has not checked: an entry may not claim more bytes than deflate can produce from its
/// compressed size (1032:1), nor yield more than it claims, and tensor entries are walked before TorchSharp reads them so
/// that a corrupt shape cannot make it allocate. Every problem is an <see cref="InvalidDataException"/> naming the file.
/// </remarks>
internal static class CheckpointArchive
{
    /// <summary>The largest ratio of uncompressed to compressed size deflate can reach.</summary>
    private const long MaxDeflateRatio = 1032;

    /// <summary>Writes the entries atomically: a temporary file next to <paramref name="path"/>, then a rename over the target.</summary>
    public static void Write(string path, IEnumerable<KeyValuePair<string, Action<Stream>>> entries) =>
        AtomicFile.Write(path, file =>
        {
            using var archive = new ZipArchive(file, ZipArchiveMode.Create, leaveOpen: true);
            foreach (var (name, write) in entries)
            {
                using var entry = archive.CreateEntry(name, CompressionLevel.NoCompression).Open();
                write(entry);
            }
        });

    /// <summary>Reads every entry into memory.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a checkpoint archive, or is truncated or corrupt.</exception>
    public static Dictionary<string, byte[]> Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Checkpoint '{path}' does not exist.", path);
        }

        try
        {
            using var archive = ZipFile.OpenRead(path);
            var fileLength = new FileInfo(path).Length;
            var result = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            long total = 0;
            foreach (var entry in archive.Entries)
            {
                total += entry.Length;
                if (entry.Length > Array.MaxLength || entry.CompressedLength > fileLength
                    || entry.Length > Math.Max(1, entry.CompressedLength) * MaxDeflateRatio || total > fileLength * MaxDeflateRatio)
                {
                    throw new InvalidDataException($"Checkpoint '{path}' is corrupt: entry '{entry.FullName}' claims {entry.Length} bytes from {entry.CompressedLength} compressed bytes in a file of {fileLength}.");
                }

                var bytes = new byte[entry.Length];
                using (var source = entry.Open())
                {
                    var read = source.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
                    if (read < bytes.Length || source.ReadByte() >= 0)
                    {
                        throw new InvalidDataException($"Checkpoint '{path}' is corrupt: entry '{entry.FullName}' does not hold the {entry.Length} bytes it claims.");
                    }
                }

                if (!result.TryAdd(entry.FullName, bytes))
                {
                    throw new InvalidDataException($"Checkpoint '{path}' is corrupt: entry '{entry.FullName}' appears twice.");
                }
            }

            return result;
        }
        catch (InvalidDataException exception) when (!exception.Message.StartsWith($"Checkpoint '{path}'", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"Checkpoint '{path}' is corrupt or not a DiGA.Core checkpoint: {exception.Message}", exception);
        }
        catch (IOException exception) when (exception is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new InvalidDataException($"Checkpoint '{path}' is truncated or corrupt: {exception.Message}", exception);
        }
    }

    /// <summary>Gets an entry or throws an error naming the file and the entry.</summary>
    public static byte[] Require(this IReadOnlyDictionary<string, byte[]> entries, string path, string name) =>
        entries.TryGetValue(name, out var bytes)
            ? bytes
            : throw new InvalidDataException($"Checkpoint '{path}' has no '{name}' entry.");

    /// <summary>Restores state from an entry; any failure of <paramref name="load"/> throws an error naming the file and the entry.</summary>
    /// <param name="entries">The checkpoint's entries.</param>
    /// <param name="path">The checkpoint file, for messages.</param>
    /// <param name="name">The entry.</param>
    /// <param name="format">How to check the entry before <paramref name="load"/> reads it.</param>
    /// <param name="load">Reads the entry (a read-only stream over its bytes).</param>
    public static void Load(this IReadOnlyDictionary<string, byte[]> entries, string path, string name, CheckpointEntryFormat format, Action<Stream> load)
    {
        var bytes = entries.Require(path, name);
        var problem = format switch
        {
            CheckpointEntryFormat.Tensor => CheckTensors(bytes, module: false),
            CheckpointEntryFormat.ModuleState => CheckTensors(bytes, module: true),
            _ => null,
        };
        if (problem is not null)
        {
            throw new InvalidDataException($"Checkpoint '{path}': entry '{name}' is corrupt ({problem}).");
        }

        try
        {
            using var stream = new MemoryStream(bytes, writable: false);
            load(stream);
        }
        catch (Exception exception) when (exception is not InvalidDataException || !exception.Message.Contains(path, StringComparison.Ordinal))
        {
            // TorchSharp and System.Text.Json report a malformed or mismatched stream with many exception types.
            throw new InvalidDataException($"Checkpoint '{path}': entry '{name}' is corrupt or does not match this model ({exception.GetType().Name}: {exception.Message})", exception);
        }
    }

    /// <summary>
    /// Throws unless <paramref name="state"/> is a CPU generator state libtorch accepts: libtorch rejects an invalid one
    /// with a native error that TorchSharp does not catch, which ends the process.
    /// </summary>
    /// <remarks>
    /// The state is an <c>at::CPUGeneratorImplState</c> (5056 bytes) or its legacy form (5048 bytes): the seed (8 bytes), the
    /// Mersenne Twister's <c>left</c> (4) and <c>seeded</c> (4) fields, its <c>next</c> index (8), then its 624-word state.
    /// libtorch requires seeded ≠ 0, 1 ≤ left ≤ 624 and next ≤ 624.
    /// </remarks>
    public static void CheckGeneratorState(torch.Tensor state, string path, string name)
    {
        const int MersenneStateSize = 624;
        string? problem = null;
        if (state.dtype != torch.ScalarType.Byte || state.device_type != DeviceType.CPU || state.dim() != 1 || state.numel() is not (5056 or 5048))
        {
            problem = $"a {state.dtype} tensor of shape [{string.Join(", ", state.shape)}], not the 5056 bytes of a generator state";
        }
        else
        {
            var bytes = state.bytes;
            var left = BinaryPrimitives.ReadInt32LittleEndian(bytes[8..]);
            var seeded = BinaryPrimitives.ReadInt32LittleEndian(bytes[12..]);
            var next = (uint)BinaryPrimitives.ReadUInt64LittleEndian(bytes[16..]);
            if (seeded == 0 || left is < 1 or > MersenneStateSize || next > MersenneStateSize)
            {
                problem = "an invalid Mersenne Twister state";
            }
        }

        if (problem is not null)
        {
            throw new InvalidDataException($"Checkpoint '{path}': entry '{name}' is corrupt (it holds {problem}).");
        }
    }

    /// <summary>
    /// Walks TorchSharp's tensor encoding (LEB128 dtype, rank, dimensions, then the raw bytes) — one tensor, or a module's
    /// state (LEB128 count, then a length-prefixed name and a tensor per entry) — and says what is wrong, or returns null.
    /// </summary>
    private static string? CheckTensors(byte[] bytes, bool module)
    {
        var position = 0;
        var count = 1L;
        if (module && !TryDecode(bytes, ref position, out count))
        {
            return "truncated entry count";
        }

        if (count < 0 || count > bytes.Length)
        {
            return $"{count} entries in {bytes.Length} bytes";
        }

        for (var i = 0; i < count; i++)
        {
            if (module)
            {
                var nameLength = 0;
                for (var shift = 0; ; shift += 7)
                {
                    if (position >= bytes.Length || shift > 28)
                    {
                        return $"bad name length of entry {i}";
                    }

                    var b = bytes[position++];
                    nameLength |= (b & 0x7F) << shift;
                    if ((b & 0x80) == 0)
                    {
                        break;
                    }
                }

                if (nameLength < 0 || nameLength > bytes.Length - position)
                {
                    return $"entry {i} has a name of {nameLength} bytes beyond the end";
                }

                position += nameLength;
            }

            if (!TryDecode(bytes, ref position, out var type) || !TryDecode(bytes, ref position, out var rank))
            {
                return $"truncated header of tensor {i}";
            }

            var elementSize = type is >= 0 and < 64 ? ElementSize((torch.ScalarType)type) : 0;
            if (elementSize == 0)
            {
                return $"tensor {i} has unknown dtype {type}";
            }

            if (rank is < 0 or > 64)
            {
                return $"tensor {i} has rank {rank}";
            }

            var length = elementSize;
            for (var d = 0; d < rank; d++)
            {
                if (!TryDecode(bytes, ref position, out var size) || size < 0)
                {
                    return $"bad dimension {d} of tensor {i}";
                }

                length = size == 0 || length <= (bytes.Length - position) / size ? length * size : long.MaxValue;
            }

            if (length > bytes.Length - position)
            {
                return $"tensor {i} claims {(length == long.MaxValue ? "more" : length.ToString(System.Globalization.CultureInfo.InvariantCulture))} bytes but {bytes.Length - position} remain";
            }

            position += (int)length;
        }

        return null;
    }

    private static bool TryDecode(byte[] bytes, ref int position, out long value)
    {
        value = 0;
        for (var shift = 0; shift < 63; shift += 7)
        {
            if (position >= bytes.Length)
            {
                return false;
            }

            var b = bytes[position++];
            value |= (long)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return true;
            }
        }

        return false;
    }

    private static long ElementSize(torch.ScalarType type) => type switch
    {
        torch.ScalarType.Byte or torch.ScalarType.Int8 or torch.ScalarType.Bool => 1,
        torch.ScalarType.Int16 or torch.ScalarType.Float16 or torch.ScalarType.BFloat16 => 2,
        torch.ScalarType.Int32 or torch.ScalarType.Float32 => 4,
        torch.ScalarType.Int64 or torch.ScalarType.Float64 or torch.ScalarType.ComplexFloat32 => 8,
        torch.ScalarType.ComplexFloat64 => 16,
        _ => 0,
    };
}

/// <summary>How <see cref="CheckpointArchive.Load"/> checks an entry before reading it.</summary>
internal enum CheckpointEntryFormat
{
    /// <summary>No structural check (JSON, optimiser state).</summary>
    Other,

    /// <summary>One tensor in TorchSharp's format (<c>Tensor.Save</c>).</summary>
    Tensor,

    /// <summary>A module's parameters and buffers in TorchSharp's format (<c>Module.save</c>).</summary>
    ModuleState,
}
