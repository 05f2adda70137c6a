using System.ComponentModel.DataAnnotations;

namespace DiGA.Core.Data.Synthetic;

/// <summary>The appearance shift of the synthetic target domain in <see cref="TargetStyle.ColorShift"/>, shared by <see cref="TargetStyle.Fog"/> and <see cref="TargetStyle.Night"/>.</summary>
/// <remarks>Colours are on the [0, 1] scale. Ranges are sampled uniformly per image.</remarks>
public sealed class TargetAppearanceOptions
{
    /// <summary>Gets or sets the per-class palette mix: 0 = the saturated source palette, 1 = the desaturated "real" palette.</summary>
    /// <value>The default value is 0.5.</value>
    [Range(0.0, 1.0)]
    public double PaletteMix { get; set; } = 0.5;

    /// <summary>Gets or sets the per-instance multiplicative colour jitter amplitude.</summary>
    /// <value>The default value is 0.08.</value>
    [Range(0.0, 1.0)]
    public double InstanceJitter { get; set; } = 0.08;

    /// <summary>Gets or sets the scale of the per-class multiplicative texture noise (vegetation and terrain are strongest).</summary>
    /// <value>The default value is 1.0.</value>
    [Range(0.0, 5.0)]
    public double TextureStrength { get; set; } = 1.0;

    /// <summary>Gets or sets the amplitude of uniform per-pixel noise added before illumination.</summary>
    /// <value>The default value is 0.02.</value>
    [Range(0.0, 1.0)]
    public double PixelNoise { get; set; } = 0.02;

    /// <summary>Gets or sets the amplitude of the random vertical and horizontal illumination gradients.</summary>
    /// <value>The default value is 0.25.</value>
    [Range(0.0, 1.0)]
    public double GradientStrength { get; set; } = 0.25;

    /// <summary>Gets or sets the vignetting strength (brightness loss at the corners).</summary>
    /// <value>The default value is 0.3.</value>
    [Range(0.0, 1.0)]
    public double Vignetting { get; set; } = 0.3;

    /// <summary>Gets or sets the lower bound of the global brightness factor.</summary>
    /// <value>The default value is 0.6.</value>
    [Range(0.0, 5.0)]
    public double BrightnessMin { get; set; } = 0.6;

    /// <summary>Gets or sets the upper bound of the global brightness factor.</summary>
    /// <value>The default value is 1.1.</value>
    [Range(0.0, 5.0)]
    public double BrightnessMax { get; set; } = 1.1;

    /// <summary>Gets or sets the lower bound of the per-channel colour cast factor.</summary>
    /// <value>The default value is 0.85.</value>
    [Range(0.0, 5.0)]
    public double ColorCastMin { get; set; } = 0.85;

    /// <summary>Gets or sets the upper bound of the per-channel colour cast factor.</summary>
    /// <value>The default value is 1.15.</value>
    [Range(0.0, 5.0)]
    public double ColorCastMax { get; set; } = 1.15;

    /// <summary>Gets or sets the lower bound of the gamma exponent.</summary>
    /// <value>The default value is 0.75.</value>
    [Range(0.1, 5.0)]
    public double GammaMin { get; set; } = 0.75;

    /// <summary>Gets or sets the upper bound of the gamma exponent.</summary>
    /// <value>The default value is 1.35.</value>
    [Range(0.1, 5.0)]
    public double GammaMax { get; set; } = 1.35;

    /// <summary>Gets or sets the lower bound of the Gaussian blur sigma, in pixels at a height of 64 (scaled with the height).</summary>
    /// <value>The default value is 0.5.</value>
    [Range(0.0, 10.0)]
    public double BlurSigmaMin { get; set; } = 0.5;

    /// <summary>Gets or sets the upper bound of the Gaussian blur sigma, in pixels at a height of 64 (scaled with the height).</summary>
    /// <value>The default value is 1.1.</value>
    [Range(0.0, 10.0)]
    public double BlurSigmaMax { get; set; } = 1.1;

    /// <summary>Gets or sets the lower bound of the Gaussian sensor-noise sigma.</summary>
    /// <value>The default value is 0.01.</value>
    [Range(0.0, 1.0)]
    public double SensorNoiseMin { get; set; } = 0.01;

    /// <summary>Gets or sets the upper bound of the Gaussian sensor-noise sigma.</summary>
    /// <value>The default value is 0.04.</value>
    [Range(0.0, 1.0)]
    public double SensorNoiseMax { get; set; } = 0.04;
}
