using DiGA.Core.Models.DeepLab;

namespace DiGA.Core.Models;

/// <summary>The normalisation layer of a trainable backbone (the compact model's; DeepLabV2 always uses frozen-affine BatchNorm).</summary>
public enum BackboneNormalization
{
    /// <summary>BatchNorm2d with trainable affine parameters (batch statistics in training mode).</summary>
    BatchNorm,

    /// <summary>GroupNorm (independent of the batch).</summary>
    GroupNorm,
}
