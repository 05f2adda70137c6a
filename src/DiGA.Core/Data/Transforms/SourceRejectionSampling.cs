using DiGA.Core.Labels;

namespace DiGA.Core.Data.Transforms;

/// <summary>
/// The reference's source rejection sampling: re-draws an inner transform (from the same input) up to
/// <see cref="MaxAttempts"/> times and keeps the first result whose label has enough distinct content; if none passes,
/// the last attempt is used.
/// </summary>
/// <remarks>
/// With <c>p_k</c> the pixel fraction of each label value <c>k</c> (255 counts as a value), a result passes when
/// <c>#{k : p_k &gt; MinFraction} ≥ 3</c>, or when that count is 2 and 255 is not one of them. Unlabelled samples pass.
/// </remarks>
public sealed class SourceRejectionSampling : IJointTransform
{
    private readonly IJointTransform _inner;

    /// <summary>Initialises the transform.</summary>
    /// <param name="inner">The random transform to re-draw.</param>
    /// <param name="maxAttempts">The number of attempts (reference 5).</param>
    /// <param name="minFraction">The fraction above which a value counts (reference 0.02).</param>
    public SourceRejectionSampling(IJointTransform inner, int maxAttempts = 5, double minFraction = 0.02)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxAttempts);
        ArgumentOutOfRangeException.ThrowIfNegative(minFraction);
        _inner = inner;
        MaxAttempts = maxAttempts;
        MinFraction = minFraction;
    }

    /// <summary>Gets the number of attempts.</summary>
    public int MaxAttempts { get; }

    /// <summary>Gets the fraction above which a label value counts.</summary>
    public double MinFraction { get; }

    /// <inheritdoc />
    public SegmentationSample Apply(SegmentationSample sample, Random random)
    {
        ArgumentNullException.ThrowIfNull(sample);
        SegmentationSample result = sample;
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            result = _inner.Apply(sample, random);
            if (Passes(result.Label, MinFraction))
            {
                break;
            }
        }

        return result;
    }

    internal static bool Passes(byte[]? label, double minFraction)
    {
        if (label is null)
        {
            return true;
        }

        Span<int> counts = stackalloc int[256];
        foreach (var v in label)
        {
            counts[v]++;
        }

        var threshold = minFraction * label.Length;
        var large = 0;
        for (var k = 0; k < 256; k++)
        {
            if (counts[k] > threshold)
            {
                large++;
            }
        }

        var ignoreLarge = counts[LabelSpace.IgnoreIndex] > threshold;
        return large >= 3 || (large == 2 && !ignoreLarge);
    }
}
