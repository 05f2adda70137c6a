using DiGA.Core.Hosting;
using DiGA.Core.Models.Compact;
using DiGA.Core.Models.DeepLab;
using Microsoft.Extensions.Logging;

namespace DiGA.Core.Models;

/// <summary>Builds segmentation models from configuration and maps architecture names.</summary>
public static class SegmentationModelFactory
{
    /// <summary>The name of <see cref="SegmentationArchitecture.DeepLabV2ResNet101"/>.</summary>
    public const string DeepLabV2ResNet101Name = "deeplabv2-resnet101";

    /// <summary>The name of <see cref="SegmentationArchitecture.DeepLabV2ResNet50"/>.</summary>
    public const string DeepLabV2ResNet50Name = "deeplabv2-resnet50";

    /// <summary>The name of <see cref="SegmentationArchitecture.Compact"/>.</summary>
    public const string CompactName = "compact";

    /// <summary>Creates a randomly initialised model.</summary>
    /// <param name="options">The model description.</param>
    /// <param name="loggerFactory">An optional logger factory.</param>
    /// <returns>A new model in training mode on the configured device, owned by the caller.</returns>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public static ISegmentationModel Create(SegmentationModelOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var normalization = options.Normalization switch
        {
            InputNormalizationPreset.Reference => ImageNormalization.Reference,
            InputNormalizationPreset.ImageNet => ImageNormalization.ImageNet,
            _ => throw new ArgumentException($"Unknown input normalisation {options.Normalization}.", nameof(options)),
        };

        if (options.OutputStride is { } stride && options.Architecture != SegmentationArchitecture.Compact && stride != 8)
        {
            throw new ArgumentException($"SegmentationModelOptions.OutputStride {stride}: DeepLabV2 has output stride 8.", nameof(options));
        }

        return options.Architecture switch
        {
            SegmentationArchitecture.DeepLabV2ResNet101 or SegmentationArchitecture.DeepLabV2ResNet50 => new DeepLabV2(
                new DeepLabV2Options
                {
                    Depth = options.Architecture == SegmentationArchitecture.DeepLabV2ResNet101 ? 101 : 50,
                    ClassNames = [.. options.ClassNames],
                    BackboneWidth = options.BackboneWidth ?? 64,
                    FeatureChannels = options.FeatureChannels ?? 256,
                    Normalization = normalization,
                    Device = options.Device,
                    Seed = options.Seed,
                },
                loggerFactory?.CreateLogger<DeepLabV2>()),
            SegmentationArchitecture.Compact => new CompactSegmentationModel(
                new CompactSegmentationModelOptions
                {
                    ClassNames = [.. options.ClassNames],
                    Width = options.BackboneWidth ?? 32,
                    FeatureChannels = options.FeatureChannels ?? 64,
                    OutputStride = options.OutputStride ?? 8,
                    Normalization = options.CompactNormalization,
                    InputNormalization = normalization,
                    Device = options.Device,
                    Seed = options.Seed,
                },
                loggerFactory?.CreateLogger<CompactSegmentationModel>()),
            _ => throw new ArgumentException($"Unknown architecture {options.Architecture}.", nameof(options)),
        };
    }

    /// <summary>Builds the model <see cref="DiGAOptions.Model"/> describes, on <see cref="DiGAOptions.Device"/>, initialised from <see cref="DiGAOptions.Seed"/>.</summary>
    /// <param name="options">The root options.</param>
    /// <param name="loggerFactory">An optional logger factory.</param>
    /// <returns>A new model owned by the caller.</returns>
    public static ISegmentationModel Create(DiGAOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var model = options.Model;
        return Create(
            new SegmentationModelOptions
            {
                Architecture = model.Architecture,
                ClassNames = model.ClassNames,
                FeatureChannels = model.FeatureChannels,
                BackboneWidth = model.BackboneWidth,
                OutputStride = model.OutputStride,
                Normalization = model.Normalization,
                CompactNormalization = model.CompactNormalization,
                Device = options.Device,
                Seed = options.Seed,
            },
            loggerFactory);
    }

    /// <summary>Gets the name of an architecture, for example <c>deeplabv2-resnet101</c>.</summary>
    /// <param name="architecture">The architecture.</param>
    /// <returns>The name used in <see cref="SegmentationModelInfo.Architecture"/> and in checkpoints.</returns>
    public static string GetName(SegmentationArchitecture architecture) => architecture switch
    {
        SegmentationArchitecture.DeepLabV2ResNet101 => DeepLabV2ResNet101Name,
        SegmentationArchitecture.DeepLabV2ResNet50 => DeepLabV2ResNet50Name,
        SegmentationArchitecture.Compact => CompactName,
        _ => throw new ArgumentOutOfRangeException(nameof(architecture), architecture, "Unknown architecture."),
    };

    /// <summary>Parses an architecture name (case-insensitive): <c>deeplabv2-resnet101</c>, <c>deeplabv2-resnet50</c> or <c>compact</c>; enum member names are accepted too.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The architecture.</returns>
    /// <exception cref="ArgumentException">The name is unknown.</exception>
    public static SegmentationArchitecture ParseArchitecture(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        foreach (var architecture in Enum.GetValues<SegmentationArchitecture>())
        {
            if (string.Equals(name.Trim(), GetName(architecture), StringComparison.OrdinalIgnoreCase)
                || string.Equals(name.Trim(), architecture.ToString(), StringComparison.OrdinalIgnoreCase))
            {
                return architecture;
            }
        }

        throw new ArgumentException($"Unknown architecture '{name}'. Use '{DeepLabV2ResNet101Name}', '{DeepLabV2ResNet50Name}' or '{CompactName}'.", nameof(name));
    }
}
