using System.ComponentModel.DataAnnotations;

namespace DiGA.Core.Kernels.PseudoLabels;

/// <summary>Options of <see cref="ClassBalancedSelector"/>.</summary>
public sealed class ClassBalancedSelectorOptions
{
    /// <summary>Gets or sets the fraction p of each class's most confident predicted pixels that sets the class threshold.</summary>
    /// <value>The default value is 0.5 (the upper end of the CBST schedule, which grows p from 0.2 to 0.5).</value>
    [Range(0.000001, 1.0)]
    public double KeepFraction { get; set; } = 0.5;
}
