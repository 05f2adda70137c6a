using BenchmarkDotNet.Attributes;
using DiGA.Core.Data;
using DiGA.Core.Data.Datasets;
using DiGA.Core.Data.Transforms;

namespace DiGA.Core.Benchmarks;

/// <summary>
/// Loader throughput on the synthetic source domain written to disk in the GTA5 layout (PNG decoding, palette labels,
/// random horizontal flip, reference normalisation, batch collation into tensors) with 2 workers. Each invocation
/// takes <see cref="BatchesPerInvocation"/> batches from an endless, already running loader.
/// </summary>
[Config(typeof(IterationConfig))]
public class LoaderBenchmarks
{
    /// <summary>Image size and batch of the loader benchmark (the compact model's default size and batch).</summary>
    public const int Height = 128, Width = 256, BatchSize = 8, Workers = 2, BatchesPerInvocation = 10;

    private SegmentationDataLoader _loader = null!;

    [GlobalSetup]
    public void Setup()
    {
        var root = BenchmarkSettings.DataRoot
            ?? throw new InvalidOperationException("The loader benchmark needs --data-root <dir> (see the write-synthetic mode).");
        var dataset = new Gta5Dataset(new SegmentationDatasetOptions { Root = Path.Combine(root, "source") });
        _loader = new SegmentationDataLoader(
            dataset,
            new DataLoaderOptions { BatchSize = BatchSize, Workers = Workers, Shuffle = true, Epochs = 0, DropLast = true },
            new JointTransformPipeline([new RandomHorizontalFlip()]));
        for (var i = 0; i < 3; i++)
        {
            _loader.Next()!.Dispose();
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _loader.Dispose();

    [Benchmark(Description = "loader.synthetic-gta5-disk")]
    public void TakeBatches()
    {
        for (var i = 0; i < BatchesPerInvocation; i++)
        {
            using var batch = _loader.Next() ?? throw new InvalidOperationException("The endless loader ended.");
        }
    }
}
