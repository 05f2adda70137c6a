using System.ComponentModel.DataAnnotations;

namespace DiGA.Core.Data.Synthetic;

/// <summary>Options of the procedural synthetic domain-shift benchmark (<see cref="SyntheticBenchmark"/>).</summary>
public sealed class SyntheticBenchmarkOptions
{
    /// <summary>Gets or sets the seed; every image is a pure function of (seed, split, index) and the options.</summary>
    /// <value>The default value is 0.</value>
    public int Seed { get; set; }

    /// <summary>Gets or sets the image height in pixels.</summary>
    /// <value>The default value is 128.</value>
    [Range(16, 4096)]
    public int Height { get; set; } = 128;

    /// <summary>Gets or sets the image width in pixels.</summary>
    /// <value>The default value is 256.</value>
    [Range(16, 4096)]
    public int Width { get; set; } = 256;

    /// <summary>Gets or sets the number of labelled source training images.</summary>
    /// <value>The default value is 1000.</value>
    [Range(1, 1_000_000)]
    public int SourceCount { get; set; } = 1000;

    /// <summary>Gets or sets the number of target training images.</summary>
    /// <value>The default value is 1000.</value>
    [Range(1, 1_000_000)]
    public int TargetTrainCount { get; set; } = 1000;

    /// <summary>Gets or sets the number of target validation images.</summary>
    /// <value>The default value is 200.</value>
    [Range(1, 1_000_000)]
    public int TargetValCount { get; set; } = 200;

    /// <summary>Gets or sets the target style.</summary>
    /// <value>The default value is <see cref="TargetStyle.Photoreal"/>.</value>
    public TargetStyle TargetStyle { get; set; } = TargetStyle.Photoreal;

    /// <summary>Gets or sets the source layout.</summary>
    /// <value>The default value is <see cref="SceneLayoutOptions"/>'s defaults.</value>
    [Required]
    public SceneLayoutOptions SourceLayout { get; set; } = new();

    /// <summary>Gets or sets the target layout.</summary>
    /// <value>The default value is <see cref="SceneLayoutOptions.CreateTargetDefaults"/>.</value>
    [Required]
    public SceneLayoutOptions TargetLayout { get; set; } = SceneLayoutOptions.CreateTargetDefaults();

    /// <summary>Gets or sets the per-instance colour jitter amplitude of the source domain.</summary>
    /// <value>The default value is 0.05.</value>
    [Range(0.0, 1.0)]
    public double SourceInstanceJitter { get; set; } = 0.05;

    /// <summary>Gets or sets the uniform pixel-noise amplitude of the source domain.</summary>
    /// <value>The default value is 0.02.</value>
    [Range(0.0, 1.0)]
    public double SourcePixelNoise { get; set; } = 0.02;

    /// <summary>Gets or sets the target appearance shift of <see cref="TargetStyle.ColorShift"/>, <see cref="TargetStyle.Fog"/> and <see cref="TargetStyle.Night"/>.</summary>
    /// <value>The default value is <see cref="TargetAppearanceOptions"/>'s defaults.</value>
    [Required]
    public TargetAppearanceOptions TargetAppearance { get; set; } = new();

    /// <summary>Gets or sets the parameters of <see cref="TargetStyle.Fog"/>.</summary>
    /// <value>The default value is <see cref="FogStyleOptions"/>'s defaults.</value>
    [Required]
    public FogStyleOptions Fog { get; set; } = new();

    /// <summary>Gets or sets the parameters of <see cref="TargetStyle.Night"/>.</summary>
    /// <value>The default value is <see cref="NightStyleOptions"/>'s defaults.</value>
    [Required]
    public NightStyleOptions Night { get; set; } = new();

    /// <summary>Gets or sets the parameters of <see cref="TargetStyle.Photoreal"/>.</summary>
    /// <value>The default value is <see cref="PhotorealStyleOptions"/>'s defaults.</value>
    [Required]
    public PhotorealStyleOptions Photoreal { get; set; } = new();

    /// <summary>Gets or sets the number of threads used to generate a set (0 = processor count). Results do not depend on it.</summary>
    /// <value>The default value is 0.</value>
    [Range(0, 1024)]
    public int MaxDegreeOfParallelism { get; set; }
}
