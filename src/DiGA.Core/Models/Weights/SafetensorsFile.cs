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
    public static Dictionary<string, string> ReadMetadata(string path)
    {
        using var stream = File.OpenRead(path);
        using var document = JsonDocument.Parse(ReadHeader(stream, path));
        return ParseMetadata(document.RootElement);
    }

    /// <summary>Reads every tensor (on the CPU, owned by the caller) and the metadata of a safetensors file.</summary>
    public static (Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata) Read(string path)
    {
        using var stream = File.OpenRead(path);
        var header = ReadHeader(stream, path);
        var dataStart = 8 + (long)header.Length;
        Dictionary<string, string> metadata = [];
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            using var document = JsonDocument.Parse(header);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == MetadataKey)
                {
                    metadata = ParseMetadata(document.RootElement);
                    continue;
                }

                var dtype = TypeOf(property.Value.GetProperty("dtype").GetString(), property.Name, path);
                var shape = property.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                var offsets = property.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                var tensor = empty(shape, dtype);
                var length = tensor.numel() * tensor.ElementSize;
                if (offsets.Length != 2 || offsets[1] - offsets[0] != length || dataStart + offsets[1] > stream.Length)
                {
                    tensor.Dispose();
                    throw new InvalidDataException($"'{path}': tensor '{property.Name}' has data offsets [{string.Join(", ", offsets)}] that do not match its shape or the file size.");
                }

                tensors[property.Name] = tensor;
                if (length > 0)
                {
                    var buffer = new byte[length];
                    stream.Position = dataStart + offsets[0];
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
            throw new InvalidDataException($"'{path}' is not a safetensors file (header length {headerLength}).");
        }

        var header = new byte[headerLength];
        stream.ReadExactly(header);
        return header;
    }

    private static Dictionary<string, string> ParseMetadata(JsonElement root)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (root.TryGetProperty(MetadataKey, out var element))
        {
            foreach (var item in element.EnumerateObject())
            {
                metadata[item.Name] = item.Value.GetString() ?? string.Empty;
            }
        }

        return metadata;
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
