using System.Buffers.Binary;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Models.Weights;

/// <summary>Reads and writes the safetensors format (8-byte little-endian header length, JSON header, raw little-endian data), including <c>__metadata__</c>.</summary>
internal static class SafetensorsFile
{
    private const string MetadataKey = "__metadata__";

    private static readonly (string Name, ScalarType Type)[] DataTypes =
    [
        ("F64", ScalarType.Float64), ("F32", ScalarType.Float32), ("F16", ScalarType.Float16), ("BF16", ScalarType.BFloat16),
        ("I64", ScalarType.Int64), ("I32", ScalarType.Int32), ("I16", ScalarType.Int16), ("I8", ScalarType.Int8),
        ("U8", ScalarType.Byte), ("BOOL", ScalarType.Bool),
    ];

    /// <summary>Writes <paramref name="tensors"/> (copied to the CPU) and <paramref name="metadata"/> to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        using var scope = NewDisposeScope();
        var entries = new List<(string Name, Tensor Data)>();
        foreach (var (name, tensor) in tensors)
        {
            entries.Add((name, tensor.detach().cpu().contiguous()));
        }

        using var headerBuffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(headerBuffer))
        {
            writer.WriteStartObject();
            writer.WriteStartObject(MetadataKey);
            foreach (var (key, value) in metadata)
            {
                writer.WriteString(key, value);
            }

            writer.WriteEndObject();
            long offset = 0;
            foreach (var (name, data) in entries)
            {
                var length = data.numel() * data.ElementSize;
                writer.WriteStartObject(name);
                writer.WriteString("dtype", NameOf(data.dtype, name));
                writer.WriteStartArray("shape");
                foreach (var size in data.shape)
                {
                    writer.WriteNumberValue(size);
                }

                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offset);
                writer.WriteNumberValue(offset + length);
                writer.WriteEndArray();
                writer.WriteEndObject();
                offset += length;
            }

            writer.WriteEndObject();
        }

        var header = headerBuffer.ToArray();
        var padding = (8 - (header.Length % 8)) % 8;
        Span<byte> lengthBytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(lengthBytes, (ulong)(header.Length + padding));
        stream.Write(lengthBytes);
        stream.Write(header);
        for (var i = 0; i < padding; i++)
        {
            stream.WriteByte((byte)' ');
        }

        foreach (var (_, data) in entries)
        {
            stream.Write(data.bytes);
        }
    }

    /// <summary>Reads only the <c>__metadata__</c> of a safetensors file.</summary>
    /// <exception cref="InvalidDataException">The file is not a safetensors file; the message names it.</exception>
    public static Dictionary<string, string> ReadMetadata(string path)
    {
        using var stream = File.OpenRead(path);
        var header = ReadHeader(stream, path);
        return ParseHeader(header, stream.Length - 8 - header.Length, path).Metadata;
    }

    /// <summary>Reads every tensor (on the CPU, owned by the caller) and the metadata of a safetensors file.</summary>
    /// <exception cref="InvalidDataException">
    /// The file is not a safetensors file, or its header is inconsistent (a tensor's shape, dtype and data offsets must agree and
    /// lie inside the file); the message names the file. Nothing is allocated for a tensor before its bytes are known to exist.
    /// </exception>
    public static (Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata) Read(string path)
    {
        using var stream = File.OpenRead(path);
        var header = ReadHeader(stream, path);
        var dataStart = 8 + (long)header.Length;
        var (entries, metadata) = ParseHeader(header, stream.Length - dataStart, path);
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var (name, dtype, shape, start, length) in entries)
            {
                var tensor = empty(shape, dtype);
                tensors[name] = tensor;
                if (length > 0)
                {
                    var buffer = new byte[length];
                    stream.Position = dataStart + start;
                    stream.ReadExactly(buffer);
                    tensor.bytes = buffer;
                }
            }
        }
        catch
        {
            foreach (var tensor in tensors.Values)
            {
                tensor.Dispose();
            }

            throw;
        }

        return (tensors, metadata);
    }

    private static byte[] ReadHeader(Stream stream, string path)
    {
        Span<byte> lengthBytes = stackalloc byte[8];
        if (stream.Length < 8)
        {
            throw new InvalidDataException($"'{path}' is not a safetensors file (too short).");
        }

        stream.ReadExactly(lengthBytes);
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength == 0 || headerLength > (ulong)Math.Min(stream.Length - 8, 100_000_000))
        {
            throw new InvalidDataException($"'{path}' is not a safetensors file (header length {headerLength} for a file of {stream.Length} bytes).");
        }

        var header = new byte[headerLength];
        stream.ReadExactly(header);
        return header;
    }

    /// <summary>Parses and checks the JSON header; <paramref name="dataLength"/> is the number of bytes after it.</summary>
    private static (List<(string Name, ScalarType Type, long[] Shape, long Start, long Length)> Entries, Dictionary<string, string> Metadata) ParseHeader(byte[] header, long dataLength, string path)
    {
        var entries = new List<(string, ScalarType, long[], long, long)>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var names = new HashSet<string>(StringComparer.Ordinal);
        long total = 0;
        try
        {
            using var document = JsonDocument.Parse(header);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"'{path}' is not a safetensors file (its header is not a JSON object).");
            }

            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!names.Add(property.Name))
                {
                    throw new InvalidDataException($"'{path}': tensor '{property.Name}' is listed twice.");
                }

                if (property.Name == MetadataKey)
                {
                    foreach (var item in property.Value.EnumerateObject())
                    {
                        metadata[item.Name] = item.Value.GetString() ?? string.Empty;
                    }

                    continue;
                }

                var dtype = TypeOf(property.Value.GetProperty("dtype").GetString(), property.Name, path);
                var shape = property.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                var offsets = property.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                var length = ByteLength(shape, dtype);
                if (shape.Length > 64 || length < 0 || offsets.Length != 2 || offsets[0] < 0 || offsets[1] - offsets[0] != length || offsets[1] > dataLength)
                {
                    throw new InvalidDataException($"'{path}': tensor '{property.Name}' has shape [{string.Join(", ", shape)}] and data offsets [{string.Join(", ", offsets)}], which do not match each other or the {dataLength} data bytes of the file.");
                }

                total += length;
                if (total > dataLength)
                {
                    throw new InvalidDataException($"'{path}': the tensors claim {total} or more data bytes, but the file has {dataLength}.");
                }

                entries.Add((property.Name, dtype, shape, offsets[0], length));
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or KeyNotFoundException)
        {
            throw new InvalidDataException($"'{path}' is not a safetensors file (bad JSON header: {ex.Message})", ex);
        }

        return (entries, metadata);
    }

    /// <summary>The number of data bytes of a tensor, or -1 for a negative dimension or a size beyond <see cref="Array.MaxLength"/>.</summary>
    private static long ByteLength(long[] shape, ScalarType dtype)
    {
        long length = dtype switch
        {
            ScalarType.Float64 or ScalarType.Int64 => 8,
            ScalarType.Float32 or ScalarType.Int32 => 4,
            ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Int16 => 2,
            _ => 1,
        };
        foreach (var size in shape)
        {
            if (size < 0 || (size > 0 && length > Array.MaxLength / size))
            {
                return -1;
            }

            length *= size;
        }

        return length;
    }

    private static string NameOf(ScalarType type, string tensorName)
    {
        foreach (var (name, scalarType) in DataTypes)
        {
            if (scalarType == type)
            {
                return name;
            }
        }

        throw new NotSupportedException($"Tensor '{tensorName}' has dtype {type}, which safetensors does not support.");
    }

    private static ScalarType TypeOf(string? name, string tensorName, string path)
    {
        foreach (var (candidate, scalarType) in DataTypes)
        {
            if (candidate == name)
            {
                return scalarType;
            }
        }

        throw new InvalidDataException($"'{path}': tensor '{tensorName}' has the unsupported safetensors dtype '{name}'.");
    }
}
