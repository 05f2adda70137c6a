using DiGA.Core.Models.Compact;
using DiGA.Core.Models.DeepLab;

namespace DiGA.Core.Models;

/// <summary>The segmentation architectures that <see cref="SegmentationModelFactory"/> builds.</summary>
public enum SegmentationArchitecture
{
    /// <summary>DeepLabV2 with a ResNet-101 backbone and the ASPP + SE head (<c>deeplabv2-resnet101</c>), the reference model.</summary>
    DeepLabV2ResNet101,

    /// <summary>DeepLabV2 with a ResNet-50 backbone (<c>deeplabv2-resnet50</c>).</summary>
    DeepLabV2ResNet50,

    /// <summary>The CPU-sized <see cref="CompactSegmentationModel"/> (<c>compact</c>).</summary>
    Compact,
}
