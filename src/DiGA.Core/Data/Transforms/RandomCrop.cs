namespace DiGA.Core.Data.Transforms;

/// <summary>
/// Crops a random <c>Height × Width</c> window; when the sample is smaller than the crop in either direction, the whole
/// sample is resized to the crop size instead (image bilinear, label nearest), as the reference does.
/// </summary>
public sealed class RandomCrop : IJointTransform
{
    /// <summary>Initialises the transform.</summary>
    /// <param name="height">The crop height (reference 512).</param>
    /// <param name="width">The crop width (reference 896).</param>
    public RandomCrop(int height, int width)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        Height = height;
        Width = width;
    }

    /// <summary>Gets the crop height.</summary>
    public int Height { get; }

    /// <summary>Gets the crop width.</summary>
    public int Width { get; }

    /// <inheritdoc />
    public SegmentationSample Apply(SegmentationSample sample, Random random)
    {
        ArgumentNullException.ThrowIfNull(sample);
        ArgumentNullException.ThrowIfNull(random);
        if (sample.Width == Width && sample.Height == Height)
        {
            return sample;
        }

        if (sample.Width < Width || sample.Height < Height)
        {
            return ResizeSample(sample, Width, Height, Resampler.Filter.Bilinear);
        }

        var x0 = random.Next(0, sample.Width - Width + 1);
        var y0 = random.Next(0, sample.Height - Height + 1);
        return new SegmentationSample(
            sample.Id,
            Width,
            Height,
            Resampler.Crop(sample.Image, sample.Width, 3, x0, y0, Width, Height),
            sample.Label is null ? null : Resampler.Crop(sample.Label, sample.Width, 1, x0, y0, Width, Height));
    }

    internal static SegmentationSample ResizeSample(SegmentationSample sample, int width, int height, Resampler.Filter filter) => new(
        sample.Id,
        width,
        height,
        Resampler.ResizeImage(sample.Image, sample.Width, sample.Height, 3, width, height, filter),
        sample.Label is null ? null : Resampler.ResizeNearest(sample.Label, sample.Width, sample.Height, 1, width, height));
}
