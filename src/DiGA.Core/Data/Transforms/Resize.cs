namespace DiGA.Core.Data.Transforms;

/// <summary>Resizes every sample to a fixed size: image bicubic (antialiased when downscaling), label nearest — the reference pre-resize.</summary>
public sealed class Resize : IJointTransform
{
    /// <summary>Initialises the transform.</summary>
    /// <param name="height">The output height.</param>
    /// <param name="width">The output width.</param>
    public Resize(int height, int width)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        Height = height;
        Width = width;
    }

    /// <summary>Gets the output height.</summary>
    public int Height { get; }

    /// <summary>Gets the output width.</summary>
    public int Width { get; }

    /// <inheritdoc />
    public SegmentationSample Apply(SegmentationSample sample, Random random)
    {
        ArgumentNullException.ThrowIfNull(sample);
        return sample.Width == Width && sample.Height == Height ? sample : RandomCrop.ResizeSample(sample, Width, Height, Resampler.Filter.Bicubic);
    }
}
