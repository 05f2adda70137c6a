namespace DiGA.Core.Data.Transforms;

/// <summary>Applies joint transforms in order, all drawing from the same per-sample generator.</summary>
public sealed class JointTransformPipeline : IJointTransform
{
    private readonly IJointTransform[] _transforms;

    /// <summary>Initialises the pipeline.</summary>
    /// <param name="transforms">The transforms, applied first to last.</param>
    public JointTransformPipeline(IEnumerable<IJointTransform> transforms)
    {
        ArgumentNullException.ThrowIfNull(transforms);
        _transforms = [.. transforms];
        if (_transforms.Any(t => t is null))
        {
            throw new ArgumentException("The pipeline contains a null transform.", nameof(transforms));
        }
    }

    /// <summary>Gets the transforms.</summary>
    public IReadOnlyList<IJointTransform> Transforms => _transforms;

    /// <summary>Creates the reference source pipeline: flip, then <see cref="RandomSizedCrop"/> (or <see cref="RandomCrop"/> when <paramref name="randomScale"/> is false).</summary>
    /// <param name="height">The crop height.</param>
    /// <param name="width">The crop width.</param>
    /// <param name="randomScale">Whether to draw random scales before cropping.</param>
    /// <returns>The pipeline.</returns>
    public static JointTransformPipeline FlipAndCrop(int height, int width, bool randomScale) =>
        new([new RandomHorizontalFlip(), randomScale ? new RandomSizedCrop(height, width) : new RandomCrop(height, width)]);

    /// <inheritdoc />
    public SegmentationSample Apply(SegmentationSample sample, Random random)
    {
        foreach (var transform in _transforms)
        {
            sample = transform.Apply(sample, random);
        }

        return sample;
    }
}
