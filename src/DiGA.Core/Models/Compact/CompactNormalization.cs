namespace DiGA.Core.Models.Compact;

/// <summary>The normalisation layer of the compact backbone.</summary>
public enum CompactNormalization
{
    /// <summary>BatchNorm2d with trainable affine parameters (batch statistics in training mode).</summary>
    BatchNorm,

    /// <summary>GroupNorm with <see cref="CompactSegmentationModelOptions.GroupCount"/> groups (independent of the batch).</summary>
    GroupNorm,
}
