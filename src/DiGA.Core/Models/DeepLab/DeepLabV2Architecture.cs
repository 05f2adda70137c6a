using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace DiGA.Core.Models.DeepLab;

/// <summary>DeepLabV2 with a ResNet-101 (<c>deeplabv2-resnet101</c>, the reference model) or ResNet-50 (<c>deeplabv2-resnet50</c>) backbone.</summary>
public sealed class DeepLabV2Architecture : SegmentationArchitecture
{
    /// <summary>The name of DeepLabV2 with a ResNet-101 backbone.</summary>
    public const string ResNet101 = "deeplabv2-resnet101";

    /// <summary>The name of DeepLabV2 with a ResNet-50 backbone.</summary>
    public const string ResNet50 = "deeplabv2-resnet50";

    /// <summary>Gets the instance.</summary>
    public static DeepLabV2Architecture Instance { get; } = new();

    /// <inheritdoc />
    public override IReadOnlyList<string> Names { get; } = [ResNet101, ResNet50];

    /// <inheritdoc />
    public override ISegmentationModel Create(string name, SegmentationModelOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.OutputStride is { } stride && stride != 8)
        {
            throw new ArgumentException($"SegmentationModelOptions.OutputStride {stride}: DeepLabV2 has output stride 8.", nameof(options));
        }

        return new DeepLabV2(
            new DeepLabV2Options
            {
                Depth = DepthOf(name),
                ClassNames = [.. options.ClassNames],
                BackboneWidth = options.BackboneWidth ?? 64,
                FeatureChannels = options.FeatureChannels ?? 256,
                Normalization = options.InputNormalization,
                Device = options.Device,
                Seed = options.Seed,
            },
            loggerFactory?.CreateLogger<DeepLabV2>());
    }

    /// <inheritdoc />
    public override JsonObject Describe(ISegmentationModel model) =>
        JsonSerializer.SerializeToNode(Own(model).Options, ModelJson.Options)!.AsObject();

    /// <inheritdoc />
    public override ISegmentationModel Rebuild(JsonObject description, string device)
    {
        var options = description.Deserialize<DeepLabV2Options>(ModelJson.Options) ?? throw new ArgumentException("The DeepLabV2 description is empty.", nameof(description));
        options.Device = device;
        return new DeepLabV2(options);
    }

    /// <summary>
    /// Gets the groups exactly as the reference optimiser receives them: every backbone convolution weight is repeated once
    /// per enclosing module (stem <c>conv1.weight</c> ×2, bottleneck <c>conv1/2/3.weight</c> ×3, downsample convolution
    /// weights ×4), so an SGD that walks the list updates it that many times per step with one shared momentum buffer.
    /// </summary>
    /// <param name="model">A DeepLabV2 model.</param>
    /// <returns>The <c>backbone</c> (1×, with repetitions) and <c>head</c> (10×) groups.</returns>
    public override IReadOnlyList<ModelParameterGroup> GetReferenceParameterGroups(ISegmentationModel model) => Own(model).GetReferenceParameterGroups();

    internal static int DepthOf(string name) => name switch
    {
        ResNet101 => 101,
        ResNet50 => 50,
        _ => throw new ArgumentException($"'{name}' is not a DeepLabV2 architecture; use '{ResNet101}' or '{ResNet50}'.", nameof(name)),
    };

    private static DeepLabV2 Own(ISegmentationModel model) =>
        model as DeepLabV2 ?? throw new ArgumentException($"Expected a DeepLabV2 model, got {model?.GetType().Name ?? "null"}.", nameof(model));
}
