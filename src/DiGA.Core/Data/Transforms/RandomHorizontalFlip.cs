namespace DiGA.Core.Data.Transforms;

/// <summary>Flips image and label horizontally with a probability (reference: flip when <c>U(0,1) &lt; 0.5</c>).</summary>
public sealed class RandomHorizontalFlip : IJointTransform
{
    /// <summary>Initialises the transform.</summary>
    /// <param name="probability">The flip probability in [0, 1]; the reference value is 0.5.</param>
    public RandomHorizontalFlip(double probability = 0.5)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(probability, 0.0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(probability, 1.0);
        Probability = probability;
    }

    /// <summary>Gets the flip probability.</summary>
    public double Probability { get; }

    /// <inheritdoc />
    public SegmentationSample Apply(SegmentationSample sample, Random random)
    {
        ArgumentNullException.ThrowIfNull(sample);
        ArgumentNullException.ThrowIfNull(random);
        if (random.NextDouble() >= Probability)
        {
            return sample;
        }

        return new SegmentationSample(
            sample.Id,
            sample.Width,
            sample.Height,
            Resampler.FlipHorizontal(sample.Image, sample.Width, sample.Height, 3),
            sample.Label is null ? null : Resampler.FlipHorizontal(sample.Label, sample.Width, sample.Height, 1));
    }
}
