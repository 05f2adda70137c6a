using System.ComponentModel.DataAnnotations;

namespace DiGA.Core.Data.Synthetic;

/// <summary>Parameters of <see cref="TargetStyle.Night"/>: cold dark ambient light, light pools, glow and strong noise.</summary>
/// <remarks>Each pixel's colour is <c>albedo · (ambient · cast + Σ pools) + Σ glow + noise</c>.</remarks>
public sealed class NightStyleOptions
{
    /// <summary>Gets or sets the ambient light level.</summary>
    /// <value>The default value is 0.2.</value>
    [Range(0.0, 1.0)]
    public double Ambient { get; set; } = 0.2;

    /// <summary>Gets or sets the red factor of the cold ambient cast.</summary>
    /// <value>The default value is 0.6.</value>
    [Range(0.0, 3.0)]
    public double CastRed { get; set; } = 0.6;

    /// <summary>Gets or sets the green factor of the cold ambient cast.</summary>
    /// <value>The default value is 0.9.</value>
    [Range(0.0, 3.0)]
    public double CastGreen { get; set; } = 0.9;

    /// <summary>Gets or sets the blue factor of the cold ambient cast.</summary>
    /// <value>The default value is 1.4.</value>
    [Range(0.0, 3.0)]
    public double CastBlue { get; set; } = 1.4;

    /// <summary>Gets or sets the probability that a pole carries a lit lamp.</summary>
    /// <value>The default value is 0.8.</value>
    [Range(0.0, 1.0)]
    public double LampProbability { get; set; } = 0.8;

    /// <summary>Gets or sets the intensity of a lamp's light pool.</summary>
    /// <value>The default value is 0.7.</value>
    [Range(0.0, 10.0)]
    public double LampIntensity { get; set; } = 0.7;

    /// <summary>Gets or sets the radius (Gaussian sigma) of a lamp's light pool, as a fraction of the height, at unit depth.</summary>
    /// <value>The default value is 0.15.</value>
    [Range(0.0, 2.0)]
    public double LampRadius { get; set; } = 0.15;

    /// <summary>Gets or sets the intensity of car head- and tail-lights.</summary>
    /// <value>The default value is 0.6.</value>
    [Range(0.0, 10.0)]
    public double CarLightIntensity { get; set; } = 0.6;

    /// <summary>Gets or sets the probability that a window is lit.</summary>
    /// <value>The default value is 0.3.</value>
    [Range(0.0, 1.0)]
    public double LitWindowProbability { get; set; } = 0.3;

    /// <summary>Gets or sets the strength of the additive glow around light sources.</summary>
    /// <value>The default value is 0.4.</value>
    [Range(0.0, 10.0)]
    public double GlowStrength { get; set; } = 0.4;

    /// <summary>Gets or sets the Gaussian sensor-noise sigma (replaces the target appearance's noise range).</summary>
    /// <value>The default value is 0.06.</value>
    [Range(0.0, 1.0)]
    public double SensorNoise { get; set; } = 0.06;
}
