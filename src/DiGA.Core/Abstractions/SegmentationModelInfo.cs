using DiGA.Core.Models.DeepLab;

namespace DiGA.Core;

/// <summary>Describes a segmentation model: enough to rebuild it from a checkpoint and to feed it correctly.</summary>
/// <param name="Architecture">The architecture name, for example <c>deeplabv2-resnet101</c>.</param>
/// <param name="ClassNames">The class names in train-id order; their count is the number of classes.</param>
/// <param name="FeatureChannels">The channel count D of <see cref="SegmentationOutput.Features"/>.</param>
/// <param name="OutputStride">The ratio of input size to logits size (8 for DeepLabV2).</param>
/// <param name="Normalization">How images are normalised before they enter the model.</param>
public sealed record SegmentationModelInfo(
    string Architecture,
    IReadOnlyList<string> ClassNames,
    int FeatureChannels,
    int OutputStride,
    ImageNormalization Normalization)
{
    /// <summary>Gets the number of classes C.</summary>
    public int ClassCount => ClassNames.Count;
}
