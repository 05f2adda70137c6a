using DiGA.Core.Data;
using DiGA.Core.Data.Synthetic;
using DiGA.Core.Data.Transforms;
using DiGA.Core.Labels;
using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Tests.Data;

public class SegmentationDataLoaderTests
{
    private static List<(string[] Ids, float[] Pixels)> Drain(SegmentationDataLoader loader, int max = int.MaxValue)
    {
        var result = new List<(string[], float[])>();
        while (result.Count < max && loader.Next() is { } batch)
        {
            using (batch)
            {
                result.Add(([.. batch.Ids], batch.Images.data<float>().ToArray()));
            }
        }

        return result;
    }

    private static SyntheticDataset SmallSynthetic() => new(new SyntheticBenchmarkOptions { Height = 32, Width = 64, SourceCount = 10, TargetTrainCount = 1, TargetValCount = 1 }, SyntheticSplit.Source);

    [Fact]
    public void Next_SameSeed_GivesIdenticalBatchesForAnyWorkerCount()
    {
        var data = SmallSynthetic();
        var transform = new JointTransformPipeline([new RandomHorizontalFlip(), new RandomSizedCrop(24, 40)]);
        using var one = new SegmentationDataLoader(data, new DataLoaderOptions { BatchSize = 3, Seed = 7, Workers = 1, Epochs = 2 }, transform);
        using var two = new SegmentationDataLoader(data, new DataLoaderOptions { BatchSize = 3, Seed = 7, Workers = 2, Epochs = 2 }, transform);
        var a = Drain(one);
        var b = Drain(two);
        a.Should().HaveCount(8);
        for (var i = 0; i < a.Count; i++)
        {
            b[i].Ids.Should().Equal(a[i].Ids);
            b[i].Pixels.Should().Equal(a[i].Pixels);
        }

        using var other = new SegmentationDataLoader(data, new DataLoaderOptions { BatchSize = 3, Seed = 8, Workers = 2, Epochs = 2 }, transform);
        Drain(other).Select(x => string.Join(",", x.Ids)).Should().NotEqual(a.Select(x => string.Join(",", x.Ids)));
    }

    [Fact]
    public void StartBatch_ResumesWithTheSameSubsequentBatches()
    {
        var data = new FakeDataset(7);
        using var full = new SegmentationDataLoader(data, new DataLoaderOptions { BatchSize = 2, Seed = 1, Epochs = 3, Workers = 2 }, new RandomHorizontalFlip());
        var all = Drain(full);
        using var resumed = new SegmentationDataLoader(data, new DataLoaderOptions { BatchSize = 2, Seed = 1, Epochs = 3, Workers = 1, StartBatch = 5 }, new RandomHorizontalFlip());
        resumed.Position.Should().Be(5);
        var tail = Drain(resumed);
        tail.Select(t => t.Ids).Should().BeEquivalentTo(all.Skip(5).Select(t => t.Ids), o => o.WithStrictOrdering());
    }

    [Fact]
    public void Next_FiniteEpochs_VisitsEverySampleOncePerEpochThenEnds()
    {
        var data = new FakeDataset(7);
        using var loader = new SegmentationDataLoader(data, new DataLoaderOptions { BatchSize = 3, Epochs = 2, Workers = 2 });
        loader.BatchesPerEpoch.Should().Be(3);
        loader.TotalBatches.Should().Be(6);
        var batches = Drain(loader);
        batches.Select(b => b.Ids.Length).Should().Equal(3, 3, 1, 3, 3, 1);
        batches.Take(3).SelectMany(b => b.Ids).Should().BeEquivalentTo(Enumerable.Range(0, 7).Select(i => $"s{i}"));
        batches.Skip(3).SelectMany(b => b.Ids).Should().BeEquivalentTo(Enumerable.Range(0, 7).Select(i => $"s{i}"));
        batches.Take(3).SelectMany(b => b.Ids).Should().NotEqual(batches.Skip(3).SelectMany(b => b.Ids), "each epoch is reshuffled");
        loader.Next().Should().BeNull();
    }

    [Fact]
    public void Next_DropLastAndNoShuffle_GivesFullBatchesInOrder()
    {
        using var loader = new SegmentationDataLoader(new FakeDataset(7), new DataLoaderOptions { BatchSize = 3, DropLast = true, Shuffle = false });
        Drain(loader).Select(b => string.Join(",", b.Ids)).Should().Equal("s0,s1,s2", "s3,s4,s5");
    }

    [Fact]
    public void Next_EndlessMode_KeepsProducingEpochs()
    {
        using var loader = new SegmentationDataLoader(new FakeDataset(3), new DataLoaderOptions { BatchSize = 2, Epochs = 0 });
        loader.TotalBatches.Should().BeNull();
        var batches = Drain(loader, max: 10);
        batches.Should().HaveCount(10);
        loader.Position.Should().Be(10);
    }

    [Fact]
    public void Next_Batch_HasNormalisedImagesAndInt64Labels()
    {
        using var loader = new SegmentationDataLoader(new FakeDataset(2, height: 4, width: 6), new DataLoaderOptions { BatchSize = 2, Shuffle = false });
        using var batch = loader.Next()!;
        batch.Images.shape.Should().Equal(2, 3, 4, 6);
        batch.Images.dtype.Should().Be(ScalarType.Float32);
        batch.Labels!.shape.Should().Equal(2, 4, 6);
        batch.Labels.dtype.Should().Be(ScalarType.Int64);
        batch.Labels[1, 0, 0].item<long>().Should().Be(1);
        var reference = ImageNormalization.Reference;
        // Sample 1 has every RGB byte = 1; channel 0 is blue after the BGR flip.
        batch.Images[1, 0, 0, 0].item<float>().Should().BeApproximately((1f - reference.Mean[0]) / reference.Divisor[0], 1e-5f);
        batch.Images[0, 2, 3, 5].item<float>().Should().BeApproximately((0f - reference.Mean[2]) / reference.Divisor[2], 1e-5f);
    }

    [Fact]
    public void Next_UnlabelledDataset_GivesNullLabels()
    {
        using var loader = new SegmentationDataLoader(new FakeDataset(2).WithoutLabels(), new DataLoaderOptions { BatchSize = 2 });
        using var batch = loader.Next()!;
        batch.Labels.Should().BeNull();
    }

    [Fact]
    public void Next_Cancelled_ThrowsAndKeepsThePosition()
    {
        using var loader = new SegmentationDataLoader(new FakeDataset(4, delayMs: 2000), new DataLoaderOptions { BatchSize = 4, Workers = 1 });
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        var act = () => loader.Next(cts.Token);
        act.Should().Throw<OperationCanceledException>();
        loader.Position.Should().Be(0);
    }

    [Fact]
    public async Task NextAsync_ReturnsTheSameBatchesAsNext()
    {
        var data = new FakeDataset(5);
        using var sync = new SegmentationDataLoader(data, new DataLoaderOptions { BatchSize = 2, Seed = 3 });
        using var async = new SegmentationDataLoader(data, new DataLoaderOptions { BatchSize = 2, Seed = 3 });
        var expected = Drain(sync).Select(b => string.Join(",", b.Ids)).ToList();
        var actual = new List<string>();
        while (await async.NextAsync() is { } batch)
        {
            using (batch)
            {
                actual.Add(string.Join(",", batch.Ids));
            }
        }

        actual.Should().Equal(expected);
    }

    [Fact]
    public void Dispose_StopsTheWorkers()
    {
        var data = new FakeDataset(1000, delayMs: 5);
        var loader = new SegmentationDataLoader(data, new DataLoaderOptions { BatchSize = 1, Workers = 2, PrefetchBatches = 2, Epochs = 0 });
        loader.Next()!.Dispose();
        loader.Dispose();
        var loads = data.Loads;
        Thread.Sleep(100);
        data.Loads.Should().Be(loads, "no sample is loaded after Dispose returns");
        loads.Should().BeLessThanOrEqualTo(1 + 2 + 2, "prefetch is bounded");
        var act = () => loader.Next();
        act.Should().Throw<ObjectDisposedException>();
    }

    [Fact]
    public void Next_InvalidSampleWithThrowPolicy_RethrowsNamingTheFile()
    {
        using var loader = new SegmentationDataLoader(new FakeDataset(4, failing: new HashSet<int> { 2 }), new DataLoaderOptions { BatchSize = 4 });
        var act = () => loader.Next();
        act.Should().Throw<DatasetFileException>().WithMessage("*sample2.png*");
    }

    [Fact]
    public void Next_InvalidSampleWithSkipPolicy_DropsAndReportsIt()
    {
        using var loader = new SegmentationDataLoader(new FakeDataset(4, failing: new HashSet<int> { 2 }), new DataLoaderOptions { BatchSize = 4, InvalidSamplePolicy = InvalidSamplePolicy.Skip });
        using var batch = loader.Next()!;
        batch.Ids.Should().BeEquivalentTo("s0", "s1", "s3");
        loader.SkippedSamples.Should().ContainSingle().Which.FilePath.Should().Be("sample2.png");
    }

    [Fact]
    public void Next_ConsumedAndDisposedBatches_LeakNoTensors()
    {
        using var loader = new SegmentationDataLoader(new FakeDataset(6), new DataLoaderOptions { BatchSize = 2 });
        var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        Drain(loader);
        DisposeScopeManager.Statistics.ThreadTotalLiveCount.Should().Be(before);
    }

    [Fact]
    public void Next_MixedSizesWithoutTransform_ThrowsNamingTheSamples()
    {
        var data = new MixedSizeDataset();
        using var loader = new SegmentationDataLoader(data, new DataLoaderOptions { BatchSize = 2, Shuffle = false });
        var act = () => loader.Next();
        act.Should().Throw<InvalidOperationException>().WithMessage("*'a'*'b'*");
        using var fixedSize = new SegmentationDataLoader(data, new DataLoaderOptions { BatchSize = 2, Shuffle = false }, new Resize(4, 4));
        using var batch = fixedSize.Next()!;
        batch.Images.shape.Should().Equal(2, 3, 4, 4);
    }

    private sealed class MixedSizeDataset : ISegmentationDataset
    {
        public string Name => "mixed";

        public int Count => 2;

        public LabelSpace LabelSpace => LabelSpace.Cityscapes19;

        public bool HasLabels => true;

        public IReadOnlyList<SkippedSample> SkippedSamples => [];

        public SegmentationSample Load(int index) => index == 0
            ? new SegmentationSample("a", 4, 4, new byte[48], new byte[16])
            : new SegmentationSample("b", 6, 5, new byte[90], new byte[30]);

        public string DescribeSample(int index) => $"mixed[{index}]";
    }
}
