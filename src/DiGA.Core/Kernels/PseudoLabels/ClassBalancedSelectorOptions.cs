using System.ComponentModel.DataAnnotations;

namespace DiGA.Core.Kernels.PseudoLabels;

/// <summary>Options of <see cref="ClassBalancedSelector"/>.</summary>
public sealed class ClassBalancedSelectorOptions
{
    /// <summary>
    /// Gets or sets CBST's portion p: each class's threshold is the confidence of its <c>⌊p·n⌋</c>-th most confident predicted
    /// pixel among its n in the batch, so about the fraction p of every predicted class reaches its threshold.
    /// </summary>
    /// <value>The default value is 0.5 (the upper end of the CBST schedule, which grows p from 0.2 by 0.05 per round).</value>
    [Range(0.000001, 1.0)]
    public double KeepFraction { get; set; } = 0.5;
}
