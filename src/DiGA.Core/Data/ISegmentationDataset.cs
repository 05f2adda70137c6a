using DiGA.Core.Labels;

namespace DiGA.Core.Data;

/// <summary>A finite, indexable collection of segmentation samples (an image and, optionally, its label map).</summary>
/// <remarks>
/// Thread-safety: <see cref="Load"/> must be safe to call concurrently from several threads (the data loader decodes
/// samples in parallel). Samples are plain managed buffers (no tensors); the caller owns what <see cref="Load"/> returns.
/// </remarks>
public interface ISegmentationDataset
{
    /// <summary>Gets a short human-readable name of the dataset (for logs and error messages).</summary>
    string Name { get; }

    /// <summary>Gets the number of samples.</summary>
    int Count { get; }

    /// <summary>Gets the label space the labels of <see cref="Load"/> are expressed in (class names, colours).</summary>
    LabelSpace LabelSpace { get; }

    /// <summary>Gets a value indicating whether samples carry labels. Target-domain training sets may be unlabelled.</summary>
    bool HasLabels { get; }

    /// <summary>Gets the samples left out because of invalid input under <see cref="InvalidSamplePolicy.Skip"/> (empty otherwise).</summary>
    IReadOnlyList<SkippedSample> SkippedSamples { get; }

    /// <summary>Loads one sample.</summary>
    /// <param name="index">The sample index in <c>[0, Count)</c>.</param>
    /// <returns>A fresh sample owned by the caller: RGB bytes HWC and, when <see cref="HasLabels"/>, train-id labels HW (255 = ignore).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside <c>[0, Count)</c>.</exception>
    /// <exception cref="DatasetFileException">A file of the sample is missing, unreadable or inconsistent.</exception>
    SegmentationSample Load(int index);

    /// <summary>Describes where a sample comes from (file paths or generator coordinates), for logs and error messages.</summary>
    /// <param name="index">The sample index in <c>[0, Count)</c>.</param>
    /// <returns>A one-line description.</returns>
    string DescribeSample(int index);
}
