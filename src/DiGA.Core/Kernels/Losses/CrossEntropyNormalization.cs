namespace DiGA.Core.Kernels.Losses;

/// <summary>The denominator of <see cref="CrossEntropy2d"/>.</summary>
public enum CrossEntropyNormalization
{
    /// <summary>Divide the summed loss by all <c>N·H·W</c> pixels, ignored ones included (the reference).</summary>
    AllPixels,

    /// <summary>Divide the summed loss by the number of non-ignored pixels (the usual PyTorch mean).</summary>
    ValidPixels,
}
