using DiGA.Core.Data;
using static TorchSharp.torch;

namespace DiGA.Core.Training.Stages;

/// <summary>
/// An endless, seeded stream of training batches that can be positioned at any batch index (for resume). A batch
/// concatenates the next batch of each part in order: one part per training stream of the domain.
/// </summary>
/// <remarks>The batch drawn at index i depends only on the datasets, the parts' seeds and i, so a resumed stage sees the same data order.</remarks>
internal sealed class BatchStream : IBatchSource, IDisposable
{
    private readonly Part[] _parts;
    private readonly SegmentationDataLoader?[] _loaders;

    public BatchStream(ISegmentationDataset dataset, DataLoaderOptions options, IJointTransform? transform)
        : this([new Part(dataset, options, transform)])
    {
    }

    public BatchStream(IReadOnlyList<Part> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        ArgumentOutOfRangeException.ThrowIfZero(parts.Count, nameof(parts));
        _parts = [.. parts];
        _loaders = new SegmentationDataLoader?[_parts.Length];
    }

    /// <summary>Gets the parts, in batch order.</summary>
    public IReadOnlyList<Part> Parts => _parts;

    /// <inheritdoc />
    public void Seek(long batchIndex)
    {
        for (var k = 0; k < _parts.Length; k++)
        {
            _loaders[k]?.Dispose();
            _loaders[k] = null;
            _loaders[k] = new SegmentationDataLoader(_parts[k].Dataset, _parts[k].Options.StartingAt(batchIndex), _parts[k].Transform);
        }
    }

    /// <inheritdoc />
    public SegmentationBatch Next()
    {
        if (_parts.Length == 1)
        {
            return NextOf(0);
        }

        var batches = new List<SegmentationBatch>(_parts.Length);
        try
        {
            for (var k = 0; k < _parts.Length; k++)
            {
                batches.Add(NextOf(k));
            }

            return Concatenate(batches);
        }
        finally
        {
            foreach (var batch in batches)
            {
                batch.Dispose();
            }
        }
    }

    public void Dispose()
    {
        foreach (var loader in _loaders)
        {
            loader?.Dispose();
        }
    }

    private SegmentationBatch NextOf(int part) =>
        (_loaders[part] ?? throw new InvalidOperationException("Seek the stream before reading it.")).Next()
        ?? throw new InvalidOperationException($"The data stream over '{_parts[part].Dataset.Name}' ended unexpectedly.");

    private SegmentationBatch Concatenate(List<SegmentationBatch> batches)
    {
        var first = batches[0];
        foreach (var batch in batches)
        {
            if (batch.Images.shape[2] != first.Images.shape[2] || batch.Images.shape[3] != first.Images.shape[3])
            {
                throw new InvalidOperationException(
                    $"The streams over '{_parts[0].Dataset.Name}' yield images of different sizes ({first.Images.shape[2]}×{first.Images.shape[3]} and {batch.Images.shape[2]}×{batch.Images.shape[3]}); streams of different sizes need a crop (TrainingDataOptions.CropHeight and CropWidth).");
            }
        }

        var images = cat([.. batches.Select(b => b.Images)], 0);
        var labels = batches.All(b => b.Labels is not null) ? cat([.. batches.Select(b => b.Labels!)], 0) : null;
        return new SegmentationBatch(images, labels, [.. batches.SelectMany(b => b.Ids)], first.BatchIndex, first.Epoch);
    }

    /// <summary>One stream of a domain: its dataset, loader options (batch share, seed) and per-sample transform.</summary>
    /// <param name="Dataset">The dataset.</param>
    /// <param name="Options">The loader options; the stream seeks by copying them with another start batch.</param>
    /// <param name="Transform">The joint transform applied to each sample, or <see langword="null"/>.</param>
    internal sealed record Part(ISegmentationDataset Dataset, DataLoaderOptions Options, IJointTransform? Transform);
}
