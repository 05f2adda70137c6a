using System.ComponentModel.DataAnnotations;

namespace DiGA.Core.Kernels.PseudoLabels;

/// <summary>Options of <see cref="ClassCentroids"/>.</summary>
public sealed class ClassCentroidOptions
{
    /// <summary>Gets or sets the momentum m of the online update <c>c_k ← (1 − m)·c_k + m·v</c>.</summary>
    /// <value>The default value is 0.0001.</value>
    [Range(0.0, 1.0)]
    public double Momentum { get; set; } = 1e-4;

    /// <summary>Gets or sets the minimum number of pixels of a class in one image for its mean feature to count.</summary>
    /// <value>The default value is 5.</value>
    [Range(1, int.MaxValue)]
    public int MinPixels { get; set; } = 5;

    /// <summary>Gets or sets the sample-count cap of the initial running mean; past it the mean becomes an EMA with weight 1/(cap + 1).</summary>
    /// <value>The default value is 3000.</value>
    [Range(1, int.MaxValue)]
    public int CountCap { get; set; } = 3000;
}
