using DiGA.Core.Data;

namespace DiGA.Core.Training.Stages;

/// <summary>An endless, seeded stream of training batches that can be positioned at any batch index (for resume).</summary>
/// <remarks>The batch drawn at index i depends only on the dataset, the options' seed and i, so a resumed stage sees the same data order.</remarks>
internal sealed class BatchStream : IBatchSource, IDisposable
{
    private readonly ISegmentationDataset _dataset;
    private readonly DataLoaderOptions _options;
    private readonly IJointTransform? _transform;
    private SegmentationDataLoader? _loader;

    public BatchStream(ISegmentationDataset dataset, DataLoaderOptions options, IJointTransform? transform)
    {
        _dataset = dataset;
        _options = options;
        _transform = transform;
    }

    /// <inheritdoc />
    public void Seek(long batchIndex)
    {
        _loader?.Dispose();
        _loader = new SegmentationDataLoader(_dataset, _options.StartingAt(batchIndex), _transform);
    }

    /// <inheritdoc />
    public SegmentationBatch Next() =>
        (_loader ?? throw new InvalidOperationException("Seek the stream before reading it.")).Next()
        ?? throw new InvalidOperationException($"The data stream over '{_dataset.Name}' ended unexpectedly.");

    public void Dispose() => _loader?.Dispose();
}
