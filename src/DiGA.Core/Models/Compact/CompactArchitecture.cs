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
        return new CompactSegmentationModel(
            new CompactSegmentationModelOptions
            {
                ClassNames = [.. options.ClassNames],
                Width = options.BackboneWidth ?? 32,
                FeatureChannels = options.FeatureChannels ?? 64,
                OutputStride = options.OutputStride ?? 8,
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
        var options = description.Deserialize<CompactSegmentationModelOptions>(ModelJson.Options) ?? throw new ArgumentException("The compact-model description is empty.", nameof(description));
        options.Device = device;
        return new CompactSegmentationModel(options);
    }

    private static CompactSegmentationModel Own(ISegmentationModel model) =>
        model as CompactSegmentationModel ?? throw new ArgumentException($"Expected a compact model, got {model?.GetType().Name ?? "null"}.", nameof(model));
}
