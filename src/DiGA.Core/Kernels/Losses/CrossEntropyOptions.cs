using System.ComponentModel.DataAnnotations;

namespace DiGA.Core.Kernels.Losses;

/// <summary>Options of <see cref="CrossEntropy2d"/>.</summary>
public sealed class CrossEntropyOptions
{
    /// <summary>Gets or sets the denominator of the mean.</summary>
    /// <value>The default value is <see cref="CrossEntropyNormalization.AllPixels"/> (the reference).</value>
    public CrossEntropyNormalization Normalization { get; set; } = CrossEntropyNormalization.AllPixels;

    /// <summary>Gets or sets the label value that takes no part in the loss.</summary>
    /// <value>The default value is 255.</value>
    [Range(0, 255)]
    public int IgnoreIndex { get; set; } = 255;
}
