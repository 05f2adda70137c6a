using System.ComponentModel.DataAnnotations;

namespace DiGA.Core.Data.Synthetic;

/// <summary>Layout statistics of one synthetic domain. The defaults are the source domain's; see <see cref="CreateTargetDefaults"/>.</summary>
public sealed class SceneLayoutOptions
{
    /// <summary>Gets or sets the lower bound of the horizon row, as a fraction of the height.</summary>
    /// <value>The default value is 0.30 (target: 0.40).</value>
    [Range(0.05, 0.9)]
    public double HorizonMin { get; set; } = 0.30;

    /// <summary>Gets or sets the upper bound of the horizon row, as a fraction of the height.</summary>
    /// <value>The default value is 0.45 (target: 0.55).</value>
    [Range(0.05, 0.9)]
    public double HorizonMax { get; set; } = 0.45;

    /// <summary>Gets or sets the lower bound of the road half-width at the bottom row, as a fraction of the width.</summary>
    /// <value>The default value is 0.30 (target: 0.25).</value>
    [Range(0.01, 2.0)]
    public double RoadHalfWidthMin { get; set; } = 0.30;

    /// <summary>Gets or sets the upper bound of the road half-width at the bottom row, as a fraction of the width.</summary>
    /// <value>The default value is 0.50 (target: 0.40).</value>
    [Range(0.01, 2.0)]
    public double RoadHalfWidthMax { get; set; } = 0.50;

    /// <summary>Gets or sets the lower bound of the sidewalk width added outside the road at the bottom row, as a fraction of the width.</summary>
    /// <value>The default value is 0.10 (target: 0.12).</value>
    [Range(0.0, 2.0)]
    public double SidewalkWidthMin { get; set; } = 0.10;

    /// <summary>Gets or sets the upper bound of the sidewalk width added outside the road at the bottom row, as a fraction of the width.</summary>
    /// <value>The default value is 0.25 (target: 0.30).</value>
    [Range(0.0, 2.0)]
    public double SidewalkWidthMax { get; set; } = 0.25;

    /// <summary>Gets or sets the probability of a terrain strip outside the sidewalks.</summary>
    /// <value>The default value is 0.5 (target: 0.3).</value>
    [Range(0.0, 1.0)]
    public double TerrainProbability { get; set; } = 0.5;

    /// <summary>Gets or sets the probability that a column holds a building (otherwise sky above and vegetation below the horizon).</summary>
    /// <value>The default value is 0.8 (target: 0.65).</value>
    [Range(0.0, 1.0)]
    public double BuildingProbability { get; set; } = 0.8;

    /// <summary>Gets or sets the Poisson mean of the number of cars.</summary>
    /// <value>The default value is 1.5 (target: 2.0).</value>
    [Range(0.0, 20.0)]
    public double CarMean { get; set; } = 1.5;

    /// <summary>Gets or sets the Poisson mean of the number of persons.</summary>
    /// <value>The default value is 1.0 (target: 2.0).</value>
    [Range(0.0, 20.0)]
    public double PersonMean { get; set; } = 1.0;

    /// <summary>Gets or sets the minimum number of poles.</summary>
    /// <value>The default value is 1 (target: 2).</value>
    [Range(0, 20)]
    public int PolesMin { get; set; } = 1;

    /// <summary>Gets or sets the maximum number of poles.</summary>
    /// <value>The default value is 3 (target: 5).</value>
    [Range(0, 20)]
    public int PolesMax { get; set; } = 3;

    /// <summary>Gets or sets the minimum number of trees.</summary>
    /// <value>The default value is 1 (target: 2).</value>
    [Range(0, 20)]
    public int TreesMin { get; set; } = 1;

    /// <summary>Gets or sets the maximum number of trees.</summary>
    /// <value>The default value is 3 (target: 4).</value>
    [Range(0, 20)]
    public int TreesMax { get; set; } = 3;

    /// <summary>Gets or sets the scale factor of object sizes (cars, persons, trees, poles).</summary>
    /// <value>The default value is 1.0 (target: 1.15).</value>
    [Range(0.1, 5.0)]
    public double ObjectScale { get; set; } = 1.0;

    /// <summary>Creates the layout defaults of the target domain (higher horizon, narrower road, more objects, larger objects).</summary>
    /// <returns>New options.</returns>
    public static SceneLayoutOptions CreateTargetDefaults() => new()
    {
        HorizonMin = 0.40,
        HorizonMax = 0.55,
        RoadHalfWidthMin = 0.25,
        RoadHalfWidthMax = 0.40,
        SidewalkWidthMin = 0.12,
        SidewalkWidthMax = 0.30,
        TerrainProbability = 0.3,
        BuildingProbability = 0.65,
        CarMean = 2.0,
        PersonMean = 2.0,
        PolesMin = 2,
        PolesMax = 5,
        TreesMin = 2,
        TreesMax = 4,
        ObjectScale = 1.15,
    };
}
