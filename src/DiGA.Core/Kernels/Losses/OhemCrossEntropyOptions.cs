using System.ComponentModel.DataAnnotations;

namespace DiGA.Core.Kernels.Losses;

/// <summary>Options of <see cref="OhemCrossEntropy"/>.</summary>
public sealed class OhemCrossEntropyOptions
{
    /// <summary>Gets or sets the probability threshold: pixels whose ground-truth probability is below it are always hard.</summary>
    /// <value>The default value is 0.7.</value>
    [Range(0.0, 1.0)]
    public double Threshold { get; set; } = 0.7;

    /// <summary>Gets or sets the minimum number of hardest pixels kept per batch.</summary>
    /// <value>The default value is 100000.</value>
    [Range(0, int.MaxValue)]
    public int MinKept { get; set; } = 100_000;

    /// <summary>Gets or sets the label value that takes no part in the loss.</summary>
    /// <value>The default value is 255.</value>
    [Range(0, 255)]
    public int IgnoreIndex { get; set; } = 255;
}
