using System.ComponentModel.DataAnnotations;

namespace DiGA.Core.Kernels.PseudoLabels;

/// <summary>Options of <see cref="FixedThresholdSelector"/>.</summary>
public sealed class FixedThresholdSelectorOptions
{
    /// <summary>Gets or sets the minimum teacher confidence (maximum softmax probability) of a kept pixel.</summary>
    /// <value>The default value is 0.9.</value>
    [Range(0.0, 1.0)]
    public double Threshold { get; set; } = 0.9;
}
