using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace DiGA.Core.Models.Compact;

/// <summary>The CPU-sized <see cref="CompactSegmentationModel"/> (<c>compact</c>).</summary>
public sealed class CompactArchitecture : SegmentationArchitecture
{
    /// <summary>The name of the compact model.</summary>
    public const string Name = "compact";

    /// <summary>Gets the instance.</summary>
    public static CompactArchitecture Instance { get; } = new();

    /// <inheritdoc />
    public override IReadOnlyList<string> Names { get; } = [Name];

    /// <inheritdoc />
    public override ISegmentationModel Create(string name, SegmentationModelOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.OutputStride is { } stride && stride != CompactSegmentationModel.OutputStride)
        {
            throw new ArgumentException($"SegmentationModelOptions.OutputStride {stride}: the compact model has output stride {CompactSegmentationModel.OutputStride}.", nameof(options));
        }

        return new CompactSegmentationModel(
            new CompactSegmentationModelOptions
            {
                ClassNames = [.. options.ClassNames],
                Width = options.BackboneWidth ?? 32,
                FeatureChannels = options.FeatureChannels ?? 32,
                Normalization = options.BackboneNormalization,
                InputNormalization = options.InputNormalization,
                Device = options.Device,
                Seed = options.Seed,
            },
            loggerFactory?.CreateLogger<CompactSegmentationModel>());
    }

    /// <inheritdoc />
    public override JsonObject Describe(ISegmentationModel model) =>
        JsonSerializer.SerializeToNode(Own(model).Options, ModelJson.Options)!.AsObject();

    /// <inheritdoc />
    public override ISegmentationModel Rebuild(JsonObject description, string device)
    {
        ArgumentNullException.ThrowIfNull(description);
        if (description.ContainsKey("OutputStride"))
        {
            // Only the earlier design (ResNet trunk at output stride 8 or 4 with the ASPP + squeeze-excitation head) recorded an output stride.
            throw new ArgumentException("The description is of the earlier compact design (output stride 8 or 4, ASPP + squeeze-excitation head), which this version no longer builds; retrain the model.", nameof(description));
        }

        var options = description.Deserialize<CompactSegmentationModelOptions>(ModelJson.Options) ?? throw new ArgumentException("The compact-model description is empty.", nameof(description));
        options.Device = device;
        return new CompactSegmentationModel(options);
    }

    private static CompactSegmentationModel Own(ISegmentationModel model) =>
        model as CompactSegmentationModel ?? throw new ArgumentException($"Expected a compact model, got {model?.GetType().Name ?? "null"}.", nameof(model));
}
