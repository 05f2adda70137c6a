using System.ComponentModel.DataAnnotations;

namespace DiGA.Core.Data.Synthetic;

/// <summary>
/// Parameters of <see cref="TargetStyle.Photoreal"/>: per-class materials and colours drawn from a photo-like catalogue,
/// sunlight with cast shadows or overcast light, wet roads, and camera effects. Each component can be turned off.
/// </summary>
/// <remarks>Colours are on the [0, 1] scale. Ranges are sampled uniformly per image; probabilities are per image.</remarks>
public sealed class PhotorealStyleOptions
{
    /// <summary>
    /// Gets or sets the lower bound of the palette shift: how far an instance's colour moves from its source colour to a
    /// colour drawn from the photo-like catalogue of its material (grey asphalt, paving, façades of several materials,
    /// bright sky, dark foliage, mostly achromatic cars, …): 0 keeps the source colour, 1 uses the catalogue alone. Each
    /// instance (each building, car, tree, …; the road, sidewalk and sky of an image) draws its own shift, so some look
    /// like the source and others do not.
    /// </summary>
    /// <value>
    /// The default value is 0. With a shift of U(0.3, 1) the catalogue's per-instance variety makes the target's own
    /// classes hard to tell apart at 64×128 (an oracle trained on target labels reaches 70.8 mIoU with pole at 3 IoU, against
    /// 78.0 and 35 without it, seed 0): a harder benchmark, not the default.
    /// </value>
    [Range(0.0, 1.0)]
    public double PaletteShiftMin { get; set; }

    /// <summary>Gets or sets the upper bound of the per-instance palette shift.</summary>
    /// <value>The default value is 0.</value>
    [Range(0.0, 1.0)]
    public double PaletteShiftMax { get; set; }

    /// <summary>
    /// Gets or sets the strength of the class-conditional colour change applied to each instance's source colour before
    /// the palette shift: per class, luma and chroma are scaled and the hue rotated (different classes in different
    /// directions; each car by a random angle). 0 leaves the source colours; 1 is the full change.
    /// </summary>
    /// <value>The default value is 1.0.</value>
    [Range(0.0, 2.0)]
    public double ClassColorShift { get; set; } = 1.0;

    /// <summary>Gets or sets the strength of the material textures (asphalt grain, cracks and worn markings, paving, façade patterns, foliage, car paint).</summary>
    /// <value>The default value is 1.0; 0 leaves every surface flat.</value>
    [Range(0.0, 3.0)]
    public double MaterialStrength { get; set; } = 1.0;

    /// <summary>Gets or sets the probability of a sunny image: warm direct light with cool cast shadows of buildings, trees, poles, cars and persons (otherwise overcast light).</summary>
    /// <value>The default value is 0.3.</value>
    [Range(0.0, 1.0)]
    public double SunProbability { get; set; } = 0.3;

    /// <summary>Gets or sets the light level in a cast shadow, relative to direct sunlight.</summary>
    /// <value>The default value is 0.45.</value>
    [Range(0.0, 1.0)]
    public double ShadowLight { get; set; } = 0.45;

    /// <summary>Gets or sets the probability of a wet road: darker asphalt, a sky sheen toward the horizon and puddles mirroring the scene above.</summary>
    /// <value>The default value is 0.3.</value>
    [Range(0.0, 1.0)]
    public double WetRoadProbability { get; set; } = 0.3;

    /// <summary>Gets or sets the lower bound of the exposure factor.</summary>
    /// <value>The default value is 0.85.</value>
    [Range(0.1, 5.0)]
    public double ExposureMin { get; set; } = 0.85;

    /// <summary>Gets or sets the upper bound of the exposure factor (highlights roll off and clip, as a camera's do).</summary>
    /// <value>The default value is 1.2.</value>
    [Range(0.1, 5.0)]
    public double ExposureMax { get; set; } = 1.2;

    /// <summary>Gets or sets the amplitude of the per-channel white-balance error, <c>1 ± value</c>.</summary>
    /// <value>The default value is 0.06.</value>
    [Range(0.0, 1.0)]
    public double WhiteBalance { get; set; } = 0.06;

    /// <summary>Gets or sets the vignetting strength (brightness loss at the corners).</summary>
    /// <value>The default value is 0.3.</value>
    [Range(0.0, 1.0)]
    public double Vignetting { get; set; } = 0.3;

    /// <summary>Gets or sets the lateral chromatic aberration: red is magnified and blue shrunk by this fraction about the image centre.</summary>
    /// <value>The default value is 0.012 (about one pixel at the corners of a 64×128 image).</value>
    [Range(0.0, 0.1)]
    public double ChromaticAberration { get; set; } = 0.012;

    /// <summary>Gets or sets the probability of ego-motion blur (a radial blur away from the vanishing point).</summary>
    /// <value>The default value is 0.2.</value>
    [Range(0.0, 1.0)]
    public double MotionBlurProbability { get; set; } = 0.2;

    /// <summary>Gets or sets the largest length of the motion blur, as a fraction of a pixel's distance to the vanishing point.</summary>
    /// <value>The default value is 0.03.</value>
    [Range(0.0, 0.5)]
    public double MotionBlurLength { get; set; } = 0.03;

    /// <summary>Gets or sets the lower bound of the optical (defocus) Gaussian blur sigma, in pixels at a height of 64 (scaled with the height).</summary>
    /// <value>The default value is 0.2.</value>
    [Range(0.0, 10.0)]
    public double BlurSigmaMin { get; set; } = 0.2;

    /// <summary>Gets or sets the upper bound of the optical (defocus) Gaussian blur sigma, in pixels at a height of 64.</summary>
    /// <value>The default value is 0.5.</value>
    [Range(0.0, 10.0)]
    public double BlurSigmaMax { get; set; } = 0.5;

    /// <summary>Gets or sets the shot-noise variance per unit intensity (signal-dependent sensor noise).</summary>
    /// <value>The default value is 0.002.</value>
    [Range(0.0, 1.0)]
    public double ShotNoise { get; set; } = 0.002;

    /// <summary>Gets or sets the upper bound of the read-noise sigma (the lower bound is a third of it).</summary>
    /// <value>The default value is 0.01.</value>
    [Range(0.0, 1.0)]
    public double ReadNoise { get; set; } = 0.01;

    /// <summary>Gets or sets the probability of JPEG-like compression (8×8 DCT blocks, 2×2 chroma subsampling).</summary>
    /// <value>The default value is 0.5.</value>
    [Range(0.0, 1.0)]
    public double CompressionProbability { get; set; } = 0.5;

    /// <summary>Gets or sets the lower bound of the JPEG quality.</summary>
    /// <value>The default value is 60.</value>
    [Range(1, 100)]
    public int QualityMin { get; set; } = 60;

    /// <summary>Gets or sets the upper bound of the JPEG quality.</summary>
    /// <value>The default value is 90.</value>
    [Range(1, 100)]
    public int QualityMax { get; set; } = 90;
}
