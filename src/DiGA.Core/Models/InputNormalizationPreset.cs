namespace DiGA.Core.Models;

/// <summary>Named input normalisations for configuration (see <see cref="ImageNormalization"/>).</summary>
public enum InputNormalizationPreset
{
    /// <summary><see cref="ImageNormalization.Reference"/>: BGR, Caffe mean, divided by 128.</summary>
    Reference,

    /// <summary><see cref="ImageNormalization.ImageNet"/>: RGB, ImageNet mean and standard deviation.</summary>
    ImageNet,
}
