using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using DiGA.Core.Foundation;
using DiGA.Core.Models.Architectures;
using DiGA.Core.Models.DeepLab;
using DiGA.Core.Models.Inference;
using DiGA.Core.Models.Weights;

namespace DiGA.Core.Models.Checkpoints;

/// <summary>
/// Saves and loads models in the library's checkpoint format: one safetensors file whose <c>__metadata__</c> holds
/// <c>diga.format</c> = <c>diga-core-checkpoint</c>, <c>diga.version</c> = <c>2</c> (version 1 files are read too) and <c>diga.model</c>, a JSON
/// header with the architecture, class names, feature channels, output stride, input normalisation, train/eval mode, the
/// architecture options and the input scale the model was trained at; the tensors are the module's full state dictionary (parameters and buffers) under its own keys.
/// </summary>
/// <remarks>
/// Any safetensors reader can open the weights. Writes are atomic: the file is written next to the target under a
/// temporary name and then moved over it. Round trips are exact (bit-identical tensors, same mode).
/// </remarks>
public static class ModelCheckpoint
{
    /// <summary>The <c>diga.format</c> metadata value.</summary>
    public const string FormatName = "diga-core-checkpoint";

    private const int FormatVersion = 2;

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = false,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>Writes <paramref name="model"/> (decorators are unwrapped to the model they wrap) to <paramref name="path"/>.</summary>
    /// <param name="model">A model of a registered architecture (<see cref="SegmentationArchitectures"/>), possibly wrapped in <see cref="DelegatingSegmentationModel"/>s.</param>
    /// <param name="path">The target file; its directory is created when missing; an existing file is replaced atomically.</param>
    /// <exception cref="NotSupportedException">The model's architecture is not registered, so it could not be rebuilt from a checkpoint.</exception>
    /// <param name="inputScale">The scale the model was trained at, for prediction on other images (<see cref="ReadInputScale"/>); <see langword="null"/> records none.</param>
    public static void Save(ISegmentationModel model, string path, InputScale? inputScale = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        while (model is DelegatingSegmentationModel delegating)
        {
            model = delegating.InnerModel;
        }

        var header = new CheckpointHeader
        {
            Architecture = model.Info.Architecture,
            ClassNames = [.. model.Info.ClassNames],
            FeatureChannels = model.Info.FeatureChannels,
            OutputStride = model.Info.OutputStride,
            Training = model.Module.training,
            Normalization = model.Info.Normalization,
            Options = ArchitectureOf(model).Describe(model),
            InputScale = inputScale,
        };

        var metadata = new Dictionary<string, string>
        {
            ["diga.format"] = FormatName,
            ["diga.version"] = FormatVersion.ToString(CultureInfo.InvariantCulture),
            ["diga.model"] = JsonSerializer.Serialize(header, JsonOptions),
        };

        AtomicFile.Write(path, stream => SafetensorsFile.Write(stream, model.Module.state_dict(), metadata));
    }

    /// <summary>Rebuilds the model stored in a checkpoint.</summary>
    /// <param name="path">A file written by <see cref="Save"/>.</param>
    /// <param name="device">The device (<c>auto</c>, <c>cpu</c>, <c>cuda</c>, <c>cuda:N</c>); <see langword="null"/> uses the device stored in the options.</param>
    /// <returns>A new model with the stored weights, buffers and train/eval mode, owned by the caller.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a checkpoint of this format, or its tensors do not match its header.</exception>
    public static ISegmentationModel Load(string path, string? device = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Checkpoint '{path}' does not exist.", path);
        }

        if (device is not null)
        {
            TorchDevices.Resolve(device);
        }

        var (tensors, metadata) = SafetensorsFile.Read(path);
        using var state = new TensorDictionary(tensors);
        var header = ReadHeader(path, metadata);
        var description = header.Options ?? throw new InvalidDataException($"Checkpoint '{path}' names no architecture options.");
        ISegmentationModel model;
        try
        {
            model = SegmentationArchitectures.Get(header.Architecture).Rebuild(description, device ?? description["Device"]?.GetValue<string>() ?? "auto");
        }
        catch (Exception ex) when (ex is ArgumentException or JsonException or InvalidOperationException)
        {
            throw new InvalidDataException($"Checkpoint '{path}' has invalid architecture options: {ex.Message}", ex);
        }

        try
        {
            WeightImporter.Apply(model.Module, tensors, path, new WeightImportOptions { Strict = true });
        }
        catch (WeightImportException ex)
        {
            model.Dispose();
            throw new InvalidDataException($"Checkpoint '{path}' is inconsistent with its header: {ex.Report.Describe()}", ex);
        }

        model.Module.train(header.Training);
        return model;
    }

    /// <summary>Reads the model description of a checkpoint without loading its tensors' values into a model.</summary>
    /// <param name="path">A file written by <see cref="Save"/>.</param>
    /// <returns>The architecture, classes, feature channels, output stride and input normalisation.</returns>
    /// <exception cref="InvalidDataException">The file is not a checkpoint of this format.</exception>
    public static SegmentationModelInfo ReadInfo(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var header = ReadHeader(path, SafetensorsFile.ReadMetadata(path));
        var normalization = header.Normalization ?? throw new InvalidDataException($"Checkpoint '{path}' names no input normalisation.");
        return new SegmentationModelInfo(header.Architecture, header.ClassNames, header.FeatureChannels, header.OutputStride, normalization);
    }

    /// <summary>Reads the scale the model of a checkpoint was trained at.</summary>
    /// <param name="path">A file written by <see cref="Save"/>.</param>
    /// <returns>The scale, or <see langword="null"/> when the checkpoint records none.</returns>
    /// <exception cref="InvalidDataException">The file is not a checkpoint of this format.</exception>
    public static InputScale? ReadInputScale(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return ReadHeader(path, SafetensorsFile.ReadMetadata(path)).InputScale;
    }

    private static CheckpointHeader ReadHeader(string path, Dictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue("diga.format", out var format) || format != FormatName || !metadata.TryGetValue("diga.model", out var json))
        {
            throw new InvalidDataException($"'{path}' is not a DiGA.Core checkpoint (its safetensors metadata lacks diga.format = {FormatName}). Use WeightImporter for plain state dictionaries.");
        }

        if (!metadata.TryGetValue("diga.version", out var version) || version is not ("1" or "2"))
        {
            throw new InvalidDataException($"Checkpoint '{path}' has format version '{version}', but this library reads versions 1 and {FormatVersion}.");
        }

        try
        {
            var header = JsonSerializer.Deserialize<CheckpointHeader>(json, JsonOptions) ?? throw new InvalidDataException($"Checkpoint '{path}' has an empty header.");

            // Version 1 kept the options, and the input normalisation inside them, under the architecture family's name.
            header.Options ??= header.DeepLabV2 ?? header.Compact;
            header.Normalization ??= (header.DeepLabV2?["Normalization"] ?? header.Compact?["InputNormalization"])?.Deserialize<ImageNormalization>(JsonOptions);
            return header;
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"Checkpoint '{path}' has an unreadable header: {ex.Message}", ex);
        }
    }

    private sealed class CheckpointHeader
    {
        public string Architecture { get; set; } = string.Empty;

        public List<string> ClassNames { get; set; } = [];

        public int FeatureChannels { get; set; }

        public int OutputStride { get; set; }

        public bool Training { get; set; }

        public ImageNormalization? Normalization { get; set; }

        public JsonObject? Options { get; set; }

        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public InputScale? InputScale { get; set; }

        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public JsonObject? DeepLabV2 { get; set; }

        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public JsonObject? Compact { get; set; }
    }

    private static SegmentationArchitecture ArchitectureOf(ISegmentationModel model)
    {
        try
        {
            return SegmentationArchitectures.Get(model.Info.Architecture);
        }
        catch (ArgumentException ex)
        {
            throw new NotSupportedException($"ModelCheckpoint cannot save {model.GetType().Name}: its architecture '{model.Info.Architecture}' is not registered, so it could not be rebuilt. Register it with SegmentationArchitectures.Register or save its state dictionary instead.", ex);
        }
    }
}
