using System.ComponentModel.DataAnnotations;

namespace DiGA.Core.Models.Inference;

/// <summary>Options of <see cref="SlidingWindowInference"/>.</summary>
internal sealed class SlidingWindowInferenceOptions
{
    /// <summary>Gets or sets the window height in pixels.</summary>
    /// <value>The default value is 512 (the training crop height).</value>
    [Range(1, 100_000)]
    public int WindowHeight { get; set; } = 512;

    /// <summary>Gets or sets the window width in pixels.</summary>
    /// <value>The default value is 896 (the training crop width).</value>
    [Range(1, 100_000)]
    public int WindowWidth { get; set; } = 896;

    /// <summary>Gets or sets the vertical step between windows, at most <see cref="WindowHeight"/>.</summary>
    /// <value>The default value is 341 (two thirds of the window).</value>
    [Range(1, 100_000)]
    public int StrideHeight { get; set; } = 341;

    /// <summary>Gets or sets the horizontal step between windows, at most <see cref="WindowWidth"/>.</summary>
    /// <value>The default value is 597 (two thirds of the window).</value>
    [Range(1, 100_000)]
    public int StrideWidth { get; set; } = 597;

    internal void Validate()
    {
        if (WindowHeight < 1 || WindowWidth < 1 || StrideHeight < 1 || StrideWidth < 1)
        {
            throw new ArgumentException("SlidingWindowInferenceOptions: window sizes and strides must be positive.", "options");
        }

        if (StrideHeight > WindowHeight || StrideWidth > WindowWidth)
        {
            throw new ArgumentException($"SlidingWindowInferenceOptions: the stride ({StrideHeight}×{StrideWidth}) must not exceed the window ({WindowHeight}×{WindowWidth}), or pixels would be skipped.", "options");
        }
    }
}
