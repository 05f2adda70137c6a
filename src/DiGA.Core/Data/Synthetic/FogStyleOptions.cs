using System.ComponentModel.DataAnnotations;

namespace DiGA.Core.Data.Synthetic;

/// <summary>Parameters of <see cref="TargetStyle.Fog"/>: haze weight <c>w = MaxHaze · (1 − exp(−density · distance))</c>.</summary>
/// <remarks>
/// The distance of a ground point at relative depth <c>t</c> (1 at the bottom row, 0 at the horizon) is <c>1/t − 1</c>;
/// objects take the distance of their foot point, buildings a per-column far distance and the sky an infinite one.
/// </remarks>
public sealed class FogStyleOptions
{
    /// <summary>Gets or sets the lower bound of the fog density (per unit distance).</summary>
    /// <value>The default value is 0.3.</value>
    [Range(0.0, 20.0)]
    public double DensityMin { get; set; } = 0.3;

    /// <summary>Gets or sets the upper bound of the fog density.</summary>
    /// <value>The default value is 0.7.</value>
    [Range(0.0, 20.0)]
    public double DensityMax { get; set; } = 0.7;

    /// <summary>Gets or sets the largest haze weight (reached at infinite distance).</summary>
    /// <value>The default value is 0.92.</value>
    [Range(0.0, 1.0)]
    public double MaxHaze { get; set; } = 0.92;

    /// <summary>Gets or sets the red component of the haze colour.</summary>
    /// <value>The default value is 0.78.</value>
    [Range(0.0, 1.0)]
    public double HazeRed { get; set; } = 0.78;

    /// <summary>Gets or sets the green component of the haze colour.</summary>
    /// <value>The default value is 0.80.</value>
    [Range(0.0, 1.0)]
    public double HazeGreen { get; set; } = 0.80;

    /// <summary>Gets or sets the blue component of the haze colour.</summary>
    /// <value>The default value is 0.82.</value>
    [Range(0.0, 1.0)]
    public double HazeBlue { get; set; } = 0.82;
}
