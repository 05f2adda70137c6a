using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using DiGA.Core.Foundation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Data;

/// <summary>
/// Decodes and augments samples on parallel workers with bounded prefetch and hands over whole batches as tensors
/// (<see cref="SegmentationBatch"/>), deterministically for a seed.
/// </summary>
/// <remarks>
/// <para>
/// Batch <c>b</c> belongs to epoch <c>b / BatchesPerEpoch</c>; the epoch's sample order is a permutation drawn from
/// (seed, epoch) and every sample's augmentation generator is seeded from (seed, epoch, position in the epoch), so the
/// batches do not depend on worker count or timing, and <see cref="DataLoaderOptions.StartBatch"/> resumes exactly.
/// </para>
/// <para>
/// Workers produce managed buffers only; tensors are created by <see cref="Next"/>/<see cref="NextAsync"/> on the
/// consuming thread (after the last await) and moved to <see cref="DataLoaderOptions.Device"/>. Call them from one
/// consumer at a time. Disposing stops the workers; batches already handed over stay valid and owned by the caller.
/// </para>
/// </remarks>
public sealed class SegmentationDataLoader : IDisposable
{
    private readonly ISegmentationDataset _dataset;
    private readonly DataLoaderOptions _options;
    private readonly IJointTransform? _transform;
    private readonly ILogger _logger;
    private readonly Device _device;
    private readonly ConcurrentDictionary<long, TaskCompletionSource<HostBatch>> _slots = new();
    private readonly ConcurrentDictionary<long, Lazy<int[]>> _permutations = new();
    private readonly ConcurrentQueue<SkippedSample> _skipped = new();
    private readonly SemaphoreSlim _prefetch;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _workers;
    private long _nextClaim;
    private long _position;
    private bool _disposed;

    /// <summary>Initialises a loader and starts its workers.</summary>
    /// <param name="dataset">The dataset (not owned).</param>
    /// <param name="options">The options, or <see langword="null"/> for the defaults.</param>
    /// <param name="transform">An optional joint augmentation applied to each sample on the workers.</param>
    /// <param name="logger">An optional logger.</param>
    /// <exception cref="ArgumentException">The options are invalid or the dataset is empty.</exception>
    public SegmentationDataLoader(ISegmentationDataset dataset, DataLoaderOptions? options = null, IJointTransform? transform = null, ILogger<SegmentationDataLoader>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        _options = options ?? new DataLoaderOptions();
        Validator.ValidateObject(_options, new ValidationContext(_options), validateAllProperties: true);
        if (dataset.Count == 0)
        {
            throw new ArgumentException($"Dataset '{dataset.Name}' is empty.", nameof(dataset));
        }

        _dataset = dataset;
        _transform = transform;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _device = TorchDevices.Resolve(_options.Device);
        var batch = _options.BatchSize;
        BatchesPerEpoch = _options.DropLast ? dataset.Count / batch : (dataset.Count + batch - 1) / batch;
        if (BatchesPerEpoch == 0)
        {
            throw new ArgumentException($"Dataset '{dataset.Name}' has {dataset.Count} samples, fewer than one batch of {batch} with DropLast.", nameof(dataset));
        }

        TotalBatches = _options.Epochs == 0 ? null : (long)_options.Epochs * BatchesPerEpoch;
        _position = _nextClaim = _options.StartBatch;
        _prefetch = new SemaphoreSlim(_options.PrefetchBatches, _options.PrefetchBatches);
        var workers = _options.Workers > 0 ? _options.Workers : Environment.ProcessorCount;
        _workers = new Task[workers];
        for (var i = 0; i < workers; i++)
        {
            _workers[i] = Task.Factory.StartNew(WorkerLoop, _stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
    }

    /// <summary>Gets the number of batches in one epoch.</summary>
    public int BatchesPerEpoch { get; }

    /// <summary>Gets the total number of batches (from batch 0), or <see langword="null"/> for an endless stream.</summary>
    public long? TotalBatches { get; }

    /// <summary>Gets the global index of the next batch <see cref="Next"/> returns (save it to resume later).</summary>
    public long Position => Interlocked.Read(ref _position);

    /// <summary>Gets the samples dropped so far under <see cref="InvalidSamplePolicy.Skip"/>.</summary>
    public IReadOnlyList<SkippedSample> SkippedSamples => [.. _skipped];

    /// <summary>Takes the next batch, blocking until it is ready.</summary>
    /// <param name="cancellationToken">Cancels the wait (throws <see cref="OperationCanceledException"/>; the position is unchanged).</param>
    /// <returns>The batch, owned by the caller, or <see langword="null"/> after the last epoch.</returns>
    /// <exception cref="DatasetFileException">A sample is invalid and the policy is <see cref="InvalidSamplePolicy.Throw"/>.</exception>
    public SegmentationBatch? Next(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var slot = CurrentSlot();
            if (slot is null)
            {
                return null;
            }

            var host = slot.Task.WaitAsync(cancellationToken).GetAwaiter().GetResult();
            var batch = Complete(host);
            if (batch is not null)
            {
                return batch;
            }
        }
    }

    /// <summary>Takes the next batch asynchronously. The tensors are created after the last await, on the continuing thread.</summary>
    /// <param name="cancellationToken">Cancels the wait (throws <see cref="OperationCanceledException"/>; the position is unchanged).</param>
    /// <returns>The batch, owned by the caller, or <see langword="null"/> after the last epoch.</returns>
    /// <exception cref="DatasetFileException">A sample is invalid and the policy is <see cref="InvalidSamplePolicy.Throw"/>.</exception>
    public async ValueTask<SegmentationBatch?> NextAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var slot = CurrentSlot();
            if (slot is null)
            {
                return null;
            }

            var host = await slot.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            var batch = Complete(host);
            if (batch is not null)
            {
                return batch;
            }
        }
    }

    /// <summary>Stops the workers and waits for them to finish.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _stop.Cancel();
        try
        {
            Task.WaitAll(_workers);
        }
        catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is OperationCanceledException))
        {
            // Workers end by cancellation; any other failure was delivered to the consumer through its batch.
        }

        _stop.Dispose();
        _prefetch.Dispose();
    }

    private TaskCompletionSource<HostBatch>? CurrentSlot()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var position = Interlocked.Read(ref _position);
        return TotalBatches is { } total && position >= total ? null : _slots.GetOrAdd(position, NewSlot);
    }

    private SegmentationBatch? Complete(HostBatch host)
    {
        _slots.TryRemove(host.BatchIndex, out _);
        Interlocked.Increment(ref _position);
        _prefetch.Release();
        foreach (var stale in _permutations.Keys.Where(e => e < host.Epoch - 1))
        {
            _permutations.TryRemove(stale, out _);
        }

        return host.Samples.Count == 0 ? null : Collate(host);
    }

    private SegmentationBatch Collate(HostBatch host)
    {
        var first = host.Samples[0];
        int height = first.Height, width = first.Width, n = host.Samples.Count;
        foreach (var s in host.Samples)
        {
            if (s.Width != width || s.Height != height)
            {
                throw new InvalidOperationException($"Batch {host.BatchIndex} of '{_dataset.Name}' mixes sizes: '{first.Id}' is {width}×{height} but '{s.Id}' is {s.Width}×{s.Height}. Add a crop or resize transform.");
            }
        }

        var pixels = new byte[n * height * width * 3];
        var labels = _dataset.HasLabels ? new byte[n * height * width] : null;
        for (var i = 0; i < n; i++)
        {
            host.Samples[i].Image.CopyTo(pixels, i * height * width * 3);
            if (labels is not null)
            {
                var label = host.Samples[i].Label ?? throw new InvalidOperationException($"Sample '{host.Samples[i].Id}' of labelled dataset '{_dataset.Name}' has no label.");
                label.CopyTo(labels, i * height * width);
            }
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var hwc = tensor(pixels, [n, height, width, 3]).to(_device);
        var images = _options.Normalization.Normalize(hwc.permute(0, 3, 1, 2));
        var labelTensor = labels is null ? null : tensor(labels, [n, height, width]).to(_device).to(ScalarType.Int64);
        return new SegmentationBatch(images.MoveToOuterDisposeScope(), labelTensor?.MoveToOuterDisposeScope(), [.. host.Samples.Select(s => s.Id)], host.BatchIndex, host.Epoch);
    }

    private void WorkerLoop()
    {
        var token = _stop.Token;
        while (true)
        {
            _prefetch.Wait(token);
            var index = Interlocked.Increment(ref _nextClaim) - 1;
            if (TotalBatches is { } total && index >= total)
            {
                _prefetch.Release();
                return;
            }

            var slot = _slots.GetOrAdd(index, NewSlot);
            try
            {
                slot.TrySetResult(Build(index, token));
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex)
            {
                // Handed to the consumer, which rethrows it when it reaches this batch.
                slot.TrySetException(ex);
            }
        }
    }

    private HostBatch Build(long batchIndex, CancellationToken token)
    {
        var epoch = batchIndex / BatchesPerEpoch;
        var first = (int)(batchIndex % BatchesPerEpoch) * _options.BatchSize;
        var last = Math.Min(_dataset.Count, first + _options.BatchSize);
        var order = _permutations.GetOrAdd(epoch, e => new Lazy<int[]>(() => Permutation(e))).Value;
        var samples = new List<SegmentationSample>(last - first);
        for (var position = first; position < last; position++)
        {
            token.ThrowIfCancellationRequested();
            var index = order[position];
            try
            {
                var sample = _dataset.Load(index);
                if (_transform is not null)
                {
                    var random = new Random(unchecked((int)Pcg32.Hash((ulong)(uint)_options.Seed, (ulong)epoch, (ulong)position, 0xA5A5)));
                    sample = _transform.Apply(sample, random);
                }

                samples.Add(sample);
            }
            catch (DatasetFileException ex) when (_options.InvalidSamplePolicy == InvalidSamplePolicy.Skip)
            {
                var skipped = new SkippedSample(_dataset.DescribeSample(index), ex.FilePath, ex.Reason);
                _skipped.Enqueue(skipped);
                _logger.LogWarning("Skipping sample {Sample} of {Dataset}: {File}: {Reason}", skipped.Id, _dataset.Name, skipped.FilePath, skipped.Reason);
            }
        }

        return new HostBatch(batchIndex, epoch, samples);
    }

    private int[] Permutation(long epoch)
    {
        var order = Enumerable.Range(0, _dataset.Count).ToArray();
        if (_options.Shuffle)
        {
            var rng = new Pcg32(Pcg32.Hash((ulong)(uint)_options.Seed, (ulong)epoch, 0x5EED));
            for (var i = order.Length - 1; i > 0; i--)
            {
                var j = rng.Next(0, i + 1);
                (order[i], order[j]) = (order[j], order[i]);
            }
        }

        return order;
    }

    private static TaskCompletionSource<HostBatch> NewSlot(long index) => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed record HostBatch(long BatchIndex, long Epoch, List<SegmentationSample> Samples);
}
