using System.Text.Json;
using System.Text.Json.Serialization;
using DiGA.Core.Labels;

namespace DiGA.Core.Data.Datasets;

/// <summary>
/// Reads the class map of a custom dataset: a JSON file naming each class with its colour and raw label ids (see
/// <c>docs/datasets.md</c>). Every problem throws a <see cref="DatasetFileException"/> naming the file.
/// </summary>
public static class ClassMapFile
{
    /// <summary>Loads a custom class map from a JSON file (see <c>docs/datasets.md</c> for the format).</summary>
    /// <param name="path">The JSON file.</param>
    /// <returns>The label space (strict unless the file says <c>"strict": false</c>).</returns>
    /// <exception cref="DatasetFileException">The file is missing or is not a valid class map.</exception>
    public static LabelSpace Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new DatasetFileException(path, "class-map file not found.");
        }

        FileStream stream;
        try
        {
            stream = File.OpenRead(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DatasetFileException(path, $"cannot read the class-map file ({ex.Message}).", ex);
        }

        using (stream)
        {
            return Parse(stream, path);
        }
    }

    /// <summary>Reads a custom class map from a JSON stream.</summary>
    /// <param name="json">The JSON stream (not disposed).</param>
    /// <param name="sourceName">A name for error messages (usually the file path).</param>
    /// <returns>The label space.</returns>
    /// <exception cref="DatasetFileException">The JSON is not a valid class map.</exception>
    public static LabelSpace Parse(Stream json, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(sourceName);
        ClassMapDocument? document;
        try
        {
            document = JsonSerializer.Deserialize(json, ClassMapJsonContext.Default.ClassMapDocument);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or ArgumentException)
        {
            throw new DatasetFileException(sourceName, $"not a valid class-map JSON: {ex.Message}", ex);
        }
        catch (IOException ex) when (ex is not DatasetFileException)
        {
            throw new DatasetFileException(sourceName, $"cannot read the class map ({ex.Message}).", ex);
        }

        if (document?.Classes is not { Count: > 0 } classes)
        {
            throw new DatasetFileException(sourceName, "the class map needs a non-empty \"classes\" array.");
        }

        var lookupSize = document.LabelBits switch
        {
            8 => 256,
            16 => 65536,
            _ => throw new DatasetFileException(sourceName, $"\"labelBits\" must be 8 or 16, got {document.LabelBits}."),
        };
        var map = new Dictionary<int, int>();
        var names = new List<string>();
        var colors = new List<LabelColor>();
        for (var c = 0; c < classes.Count; c++)
        {
            var entry = classes[c];
            if (entry is null)
            {
                throw new DatasetFileException(sourceName, $"class {c} is null; each class is an object with \"name\" and \"color\".");
            }

            if (string.IsNullOrWhiteSpace(entry.Name))
            {
                throw new DatasetFileException(sourceName, $"class {c} has no \"name\".");
            }

            if (entry.Color is not { Length: 3 } rgb || rgb.Any(v => v is < 0 or > 255))
            {
                throw new DatasetFileException(sourceName, $"class {c} ('{entry.Name}') needs \"color\": [r, g, b] with values in 0..255.");
            }

            names.Add(entry.Name);
            colors.Add(new LabelColor((byte)rgb[0], (byte)rgb[1], (byte)rgb[2]));
            foreach (var id in entry.Ids ?? [c])
            {
                AddRaw(map, id, c, lookupSize, sourceName);
            }
        }

        foreach (var id in document.IgnoreIds ?? [255])
        {
            AddRaw(map, id, LabelSpace.IgnoreIndex, lookupSize, sourceName);
        }

        return new LabelSpace(document.Name ?? Path.GetFileNameWithoutExtension(sourceName), names, colors, map, lookupSize, document.Strict ?? true);
    }

    private static void AddRaw(Dictionary<int, int> map, int id, int trainId, int lookupSize, string sourceName)
    {
        if (id < 0 || id >= lookupSize)
        {
            throw new DatasetFileException(sourceName, $"raw id {id} is outside [0, {lookupSize}).");
        }

        if (!map.TryAdd(id, trainId))
        {
            throw new DatasetFileException(sourceName, $"raw id {id} is listed twice.");
        }
    }
}

/// <summary>The JSON shape of a custom class map.</summary>
internal sealed class ClassMapDocument
{
    public string? Name { get; set; }

    public int LabelBits { get; set; } = 8;

    public bool? Strict { get; set; }

    public List<ClassMapEntry>? Classes { get; set; }

    public List<int>? IgnoreIds { get; set; }
}

/// <summary>One class of a custom class map.</summary>
internal sealed class ClassMapEntry
{
    public string? Name { get; set; }

    public int[]? Color { get; set; }

    public List<int>? Ids { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true)]
[JsonSerializable(typeof(ClassMapDocument))]
internal sealed partial class ClassMapJsonContext : JsonSerializerContext;
