using System.ComponentModel.DataAnnotations;

namespace DiGA.Core.Kernels.Augmentation;

/// <summary>Options of <see cref="PhotometricAugmentation"/>; the defaults are the reference warm-up values.</summary>
public sealed class PhotometricAugmentationOptions
{
    /// <summary>Gets or sets the blend weight β of <c>β·(2A(x) − 1) + (1 − β)·x</c>.</summary>
    /// <value>The default value is 0.4 (warm-up; the reference self-training uses 0.3).</value>
    [Range(0.0, 1.0)]
    public double Beta { get; set; } = 0.4;

    /// <summary>Gets or sets the per-sample probability of the colour jitter.</summary>
    /// <value>The default value is 0.5 (the reference SYNTHIA warm-up uses 0.7).</value>
    [Range(0.0, 1.0)]
    public double ColorJitterProbability { get; set; } = 0.5;

    /// <summary>Gets or sets the brightness range b: the offset is <c>U(−b, b)</c>.</summary>
    /// <value>The default value is 0.4.</value>
    [Range(0.0, 1.0)]
    public double Brightness { get; set; } = 0.4;

    /// <summary>Gets or sets the contrast range c: the factor is <c>U(1 − c, 1 + c)</c>.</summary>
    /// <value>The default value is 0.4.</value>
    [Range(0.0, 1.0)]
    public double Contrast { get; set; } = 0.4;

    /// <summary>Gets or sets the saturation range s: the factor is <c>U(1 − s, 1 + s)</c>.</summary>
    /// <value>The default value is 0.2.</value>
    [Range(0.0, 1.0)]
    public double Saturation { get; set; } = 0.2;

    /// <summary>Gets or sets the hue range h: the shift is <c>U(−h, h)</c> turns.</summary>
    /// <value>The default value is 0.1.</value>
    [Range(0.0, 0.5)]
    public double Hue { get; set; } = 0.1;

    /// <summary>Gets or sets the per-sample probability of the grayscale conversion.</summary>
    /// <value>The default value is 0.3 (the reference SYNTHIA warm-up uses 0.1).</value>
    [Range(0.0, 1.0)]
    public double GrayscaleProbability { get; set; } = 0.3;

    /// <summary>Gets or sets the per-sample probability of the 3×3, σ = 2 Gaussian blur.</summary>
    /// <value>The default value is 0.8.</value>
    [Range(0.0, 1.0)]
    public double BlurProbability { get; set; } = 0.8;

    /// <summary>Gets or sets a value indicating whether the sharpness step runs (the reference domain-generalisation variant turns it off).</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool SharpnessEnabled { get; set; } = true;

    /// <summary>Gets or sets the per-sample probability of the sharpness step.</summary>
    /// <value>The default value is 0.3.</value>
    [Range(0.0, 1.0)]
    public double SharpnessProbability { get; set; } = 0.3;

    /// <summary>Gets or sets the sharpness range: the blend factor is <c>U(0, value)</c>.</summary>
    /// <value>The default value is 0.5.</value>
    [Range(0.0, 1.0)]
    public double Sharpness { get; set; } = 0.5;
}
