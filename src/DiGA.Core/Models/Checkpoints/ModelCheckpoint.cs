using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using DiGA.Core.Foundation;
using DiGA.Core.Models.Compact;
using DiGA.Core.Models.DeepLab;
using DiGA.Core.Models.Inference;
using DiGA.Core.Models.Weights;

namespace DiGA.Core.Models.Checkpoints;

/// <summary>
/// Saves and loads models in the library's checkpoint format: one safetensors file whose <c>__metadata__</c> holds
/// <c>diga.format</c> = <c>diga-core-checkpoint</c>, <c>diga.version</c> = <c>1</c> and <c>diga.model</c>, a JSON
/// header with the architecture, class names, feature channels, output stride, input normalisation, train/eval mode and the
/// architecture options; the tensors are the module's full state dictionary (parameters and buffers) under its own keys.
/// </summary>
/// <remarks>
/// Any safetensors reader can open the weights. Writes are atomic: the file is written next to the target under a
/// temporary name and then moved over it. Round trips are exact (bit-identical tensors, same mode).
/// </remarks>
public static class ModelCheckpoint
{
    /// <summary>The <c>diga.format</c> metadata value.</summary>
    public const string FormatName = "diga-core-checkpoint";

    private const int FormatVersion = 1;

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = false,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>Writes <paramref name="model"/> (decorators are unwrapped to the model they wrap) to <paramref name="path"/>.</summary>
    /// <param name="model">A <see cref="DeepLabV2"/> or <see cref="CompactSegmentationModel"/>, possibly wrapped in <see cref="DelegatingSegmentationModel"/>s.</param>
    /// <param name="path">The target file; its directory is created when missing; an existing file is replaced atomically.</param>
    /// <exception cref="NotSupportedException">The model type cannot be rebuilt from a checkpoint.</exception>
    public static void Save(ISegmentationModel model, string path)
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
            DeepLabV2 = (model as DeepLabV2)?.Options,
            Compact = (model as CompactSegmentationModel)?.Options,
        };
        if (header.DeepLabV2 is null && header.Compact is null)
        {
            throw new NotSupportedException($"ModelCheckpoint cannot save {model.GetType().Name}: only DeepLabV2 and CompactSegmentationModel can be rebuilt from a checkpoint. Save its state dictionary instead.");
        }

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
        ISegmentationModel model;
        try
        {
            if (header.DeepLabV2 is { } deepLab)
            {
                deepLab.Device = device ?? deepLab.Device;
                model = new DeepLabV2(deepLab);
            }
            else if (header.Compact is { } compact)
            {
                compact.Device = device ?? compact.Device;
                model = new CompactSegmentationModel(compact);
            }
            else
            {
                throw new InvalidDataException($"Checkpoint '{path}' names no architecture options.");
            }
        }
        catch (ArgumentException ex)
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
        var normalization = header.DeepLabV2?.Normalization ?? header.Compact?.InputNormalization
            ?? throw new InvalidDataException($"Checkpoint '{path}' names no architecture options.");
        return new SegmentationModelInfo(header.Architecture, header.ClassNames, header.FeatureChannels, header.OutputStride, normalization);
    }

    private static CheckpointHeader ReadHeader(string path, Dictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue("diga.format", out var format) || format != FormatName || !metadata.TryGetValue("diga.model", out var json))
        {
            throw new InvalidDataException($"'{path}' is not a DiGA.Core checkpoint (its safetensors metadata lacks diga.format = {FormatName}). Use WeightImporter for plain state dictionaries.");
        }

        if (!metadata.TryGetValue("diga.version", out var version) || version != FormatVersion.ToString(CultureInfo.InvariantCulture))
        {
            throw new InvalidDataException($"Checkpoint '{path}' has format version '{version}', but this library reads version {FormatVersion}.");
        }

        try
        {
            return JsonSerializer.Deserialize<CheckpointHeader>(json, JsonOptions) ?? throw new InvalidDataException($"Checkpoint '{path}' has an empty header.");
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

        public DeepLabV2Options? DeepLabV2 { get; set; }

        public CompactSegmentationModelOptions? Compact { get; set; }
    }
}
