namespace DiGA.Core.Data.Transforms;

/// <summary>
/// The reference's <c>RandomSized_and_Crop</c>: rescales width and height by two independent factors drawn from
/// <c>U(MinScale, MaxScale)</c> (aspect ratio not preserved; image bilinear, label nearest), then applies <see cref="RandomCrop"/>.
/// </summary>
public sealed class RandomSizedCrop : IJointTransform
{
    private readonly RandomCrop _crop;

    /// <summary>Initialises the transform.</summary>
    /// <param name="height">The crop height (reference 512).</param>
    /// <param name="width">The crop width (reference 896).</param>
    /// <param name="minScale">The smallest scale factor (reference 0.7).</param>
    /// <param name="maxScale">The largest scale factor (reference 1.0).</param>
    public RandomSizedCrop(int height, int width, double minScale = 0.7, double maxScale = 1.0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(minScale);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxScale, minScale);
        _crop = new RandomCrop(height, width);
        MinScale = minScale;
        MaxScale = maxScale;
    }

    /// <summary>Gets the crop height.</summary>
    public int Height => _crop.Height;

    /// <summary>Gets the crop width.</summary>
    public int Width => _crop.Width;

    /// <summary>Gets the smallest scale factor.</summary>
    public double MinScale { get; }

    /// <summary>Gets the largest scale factor.</summary>
    public double MaxScale { get; }

    /// <inheritdoc />
    public SegmentationSample Apply(SegmentationSample sample, Random random)
    {
        ArgumentNullException.ThrowIfNull(sample);
        ArgumentNullException.ThrowIfNull(random);
        var width = Math.Max(1, (int)((MinScale + ((MaxScale - MinScale) * random.NextDouble())) * sample.Width));
        var height = Math.Max(1, (int)((MinScale + ((MaxScale - MinScale) * random.NextDouble())) * sample.Height));
        var scaled = RandomCrop.ResizeSample(sample, width, height, Resampler.Filter.Bilinear);
        return _crop.Apply(scaled, random);
    }
}
