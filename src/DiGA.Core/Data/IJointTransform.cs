namespace DiGA.Core.Data;

/// <summary>A random transform applied jointly to a sample's image and label (same geometry for both).</summary>
/// <remarks>
/// Implementations draw every random choice from the generator passed to <see cref="Apply"/>, so a seeded generator
/// makes them deterministic. They must be stateless (thread-safe): the loader calls them from several workers at once.
/// </remarks>
public interface IJointTransform
{
    /// <summary>Transforms a sample.</summary>
    /// <param name="sample">The input sample; not modified.</param>
    /// <param name="random">The random generator for this sample.</param>
    /// <returns>A new sample (or <paramref name="sample"/> itself when nothing changes).</returns>
    SegmentationSample Apply(SegmentationSample sample, Random random);
}
