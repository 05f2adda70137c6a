using DiGA.Core.Data;
using DiGA.Core.Data.Transforms;
using DiGA.Core.Labels;
using DiGA.Core.Tests.Helpers;
using DiGA.Core.Training;
using DiGA.Core.Training.Pipeline;
using DiGA.Core.Training.Stages;
using DiGA.Core.Translation.Learned;
using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Tests.Training.Pipeline;

public sealed class TrainingStreamsTests
{
    private static TrainingDataOptions Cropped() => new()
    {
        CropHeight = 16,
        CropWidth = 24,
        HorizontalFlip = true,
        SourceRejectionSampling = false,
        Workers = 1,
        PrefetchBatches = 2,
    };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Create_CroppedStream_YieldsBatchesOfTheConfiguredSizeShapeAndDtype(bool randomScale)
    {
        var source = PipelineTestData.Scenes().Source;
        using var stream = new TrainingStreams(Cropped(), seed: 1).Create(source, StreamSplit.OneStream(4), salt: 1, isSource: true, randomScale, CPU, ImageNormalization.Reference);
        stream.Seek(0);
        using var scope = NewDisposeScope();

        for (var i = 0; i < 3; i++)
        {
            using var batch = stream.Next();
            batch.Count.Should().Be(4);
            batch.Images.shape.Should().Equal(4, 3, 16, 24);
            batch.Images.dtype.Should().Be(ScalarType.Float32);
            batch.Images.device_type.Should().Be(DeviceType.CPU);
            batch.Labels!.shape.Should().Equal(4, 16, 24);
            batch.Labels.dtype.Should().Be(ScalarType.Int64);
            var valid = batch.Labels.lt(19).logical_or(batch.Labels.eq(255));
            valid.all().item<bool>().Should().BeTrue("labels are train ids or the ignore index");
            // The reference normalisation maps 0…255 to about [−0.96, 1.18].
            batch.Images.min().item<float>().Should().BeGreaterThanOrEqualTo(-0.97f);
            batch.Images.max().item<float>().Should().BeLessThanOrEqualTo(1.19f);
        }
    }

    [Fact]
    public void Create_WithoutCrop_YieldsWholeImages_AndDropsTheIncompleteBatch()
    {
        var source = PipelineTestData.Scenes().Source;
        var options = Cropped();
        options.CropHeight = null;
        options.CropWidth = null;
        using var stream = new TrainingStreams(options, seed: 1).Create(source, StreamSplit.OneStream(4), salt: 1, isSource: true, randomScale: false, CPU, ImageNormalization.Reference);
        stream.Seek(0);
        using var scope = NewDisposeScope();

        // Six images, batches of four: each epoch yields one full batch (the last two images are dropped), so every batch is full.
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            using var batch = stream.Next();
            batch.Images.shape.Should().Equal(4, 3, 32, 64);
            batch.Labels!.shape.Should().Equal(4, 32, 64);
            batch.Ids.Should().OnlyHaveUniqueItems();
            ids.AddRange(batch.Ids);
        }

        ids.Should().HaveCount(12);
    }

    [Fact]
    public void Create_SameSeedAndSalt_GivesTheSameBatches_AndSeekingResumesTheSequence()
    {
        var source = PipelineTestData.Scenes().Source;
        using var scope = NewDisposeScope();
        var first = Read(new TrainingStreams(Cropped(), seed: 5), source, salt: 2, from: 0, count: 3);
        var second = Read(new TrainingStreams(Cropped(), seed: 5), source, salt: 2, from: 0, count: 3);
        var resumed = Read(new TrainingStreams(Cropped(), seed: 5), source, salt: 2, from: 2, count: 1);
        var otherSeed = Read(new TrainingStreams(Cropped(), seed: 6), source, salt: 2, from: 0, count: 3);
        var otherSalt = Read(new TrainingStreams(Cropped(), seed: 5), source, salt: 3, from: 0, count: 3);

        for (var i = 0; i < 3; i++)
        {
            // Exact: the same seeded choices of images, crops and flips on the same bytes.
            TensorAssert.Equal(second[i].Images, first[i].Images, $"batch {i}");
            TensorAssert.Equal(second[i].Labels, first[i].Labels, $"batch {i}");
        }

        TensorAssert.Equal(resumed[0].Images, first[2].Images, "batch 2 read after seeking to it");
        TensorAssert.Equal(resumed[0].Labels, first[2].Labels, "batch 2 read after seeking to it");
        Differs(otherSeed, first).Should().BeTrue("another seed draws other batches");
        Differs(otherSalt, first).Should().BeTrue("another salt draws other batches");
    }

    [Fact]
    public void Create_WithoutStreams_DrawsExactlyWhatOneLoaderWithTheRunSeedDraws()
    {
        // The single-stream path must keep every random draw of the seed: the loader seed (seed·1000003 + salt), the
        // flip and the crop, in this order.
        var source = PipelineTestData.Scenes().Source;
        using var scope = NewDisposeScope();
        using var stream = new TrainingStreams(Cropped(), seed: 5).Create(source, StreamSplit.OneStream(2), salt: 12, isSource: true, randomScale: true, CPU, ImageNormalization.Reference);
        var loader = new DataLoaderOptions { BatchSize = 2, Shuffle = true, Seed = (5 * 1_000_003) + 12, DropLast = true, Workers = 1, PrefetchBatches = 2, Device = "cpu" };
        using var expected = new BatchStream(source, loader, JointTransformPipeline.FlipAndCrop(16, 24, randomScale: true));
        stream.Seek(1);
        expected.Seek(1);

        for (var i = 0; i < 3; i++)
        {
            using var actual = stream.Next();
            using var reference = expected.Next();
            actual.Ids.Should().Equal(reference.Ids);
            TensorAssert.Equal(actual.Images, reference.Images, $"batch {i + 1}");
            TensorAssert.Equal(actual.Labels!, reference.Labels!, $"batch {i + 1}");
        }
    }

    [Fact]
    public void Create_TwoStreams_ConcatenatesTheLowResolutionViewFirst_WithEachStageShare()
    {
        // Label = x on 64×64 images. The low view (8×8) is whole after an 8×8 crop: its labels span the whole width. The
        // high view (32×32) is cropped to 8 of its 32 columns: its labels span at most 16 values.
        var data = new ColumnDataset(count: 6, height: 64, width: 64);
        var options = TwoStreams(low: (8, 8), high: (32, 32), crop: (8, 8));
        using var scope = NewDisposeScope();
        foreach (var (stage, low, high) in new[] { ("warm-up", 1, 2), ("self-training", 2, 1), ("domain-generalisation", 2, 2) })
        {
            using var stream = new TrainingStreams(options, seed: 3).Create(data, Shares(low, high), salt: 2, isSource: false, randomScale: false, CPU, ImageNormalization.Reference);
            stream.Seek(0);
            for (var i = 0; i < 3; i++)
            {
                using var batch = stream.Next();
                batch.Images.shape.Should().Equal(low + high, 3, 8, 8);
                batch.Ids.Should().HaveCount(low + high);
                var spans = Spans(batch.Labels!);
                spans.Take(low).Should().OnlyContain(span => span >= 48, $"the first {low} images of a {stage} batch come from the low-resolution view");
                spans.Skip(low).Should().HaveCount(high).And.OnlyContain(span => span <= 16, $"the last {high} images of a {stage} batch come from the high-resolution view");
            }
        }
    }

    [Fact]
    public void Create_StreamWithoutCrop_YieldsImagesAtItsPreResizeSize()
    {
        var data = new ColumnDataset(count: 4, height: 64, width: 64);
        var options = Cropped();
        options.CropHeight = null;
        options.CropWidth = null;
        options.HorizontalFlip = false;
        options.TargetStreams = [new TrainingStreamOptions { PreResizeHeight = 12, PreResizeWidth = 20 }];
        using var scope = NewDisposeScope();
        using var stream = new TrainingStreams(options, seed: 1).Create(data, Shares(2), salt: 3, isSource: false, randomScale: false, CPU, ImageNormalization.Reference);
        stream.Seek(0);

        using var batch = stream.Next();

        batch.Images.shape.Should().Equal(2, 3, 12, 20);
        batch.Labels!.shape.Should().Equal(2, 12, 20);
        // Nearest labels of a 64-wide ramp resized to 20 columns: the first and last columns keep the ends of the ramp.
        batch.Labels[0, 0, 0].item<long>().Should().BeLessThan(4);
        batch.Labels[0, 0, 19].item<long>().Should().BeGreaterThan(59);
    }

    [Fact]
    public void Create_LowResolutionViewShorterThanTheCropAfterTheRandomRescale_IsResizedWhole()
    {
        // The reference's Cityscapes case at 1/32 scale: a 16×32 view (512×1024), a 16×28 crop (512×896). After the
        // random rescale (factors in [0.7, 1]) the view is shorter than the crop, so the whole image is resized to the crop
        // size: its labels span the whole ramp. The 64×128 view is cropped instead.
        var data = new ColumnDataset(count: 6, height: 64, width: 64);
        var options = TwoStreams(low: (16, 32), high: (64, 128), crop: (16, 28));
        using var scope = NewDisposeScope();
        using var stream = new TrainingStreams(options, seed: 8).Create(data, Shares(2, 1), salt: 21, isSource: false, randomScale: true, CPU, ImageNormalization.Reference);
        stream.Seek(0);

        for (var i = 0; i < 4; i++)
        {
            using var batch = stream.Next();
            batch.Images.shape.Should().Equal(3, 3, 16, 28);
            var spans = Spans(batch.Labels!);
            spans.Take(2).Should().OnlyContain(span => span >= 56, "a low-resolution view is the whole image");
            spans[2].Should().BeLessThanOrEqualTo(24, "a high-resolution view is a crop");
        }
    }

    [Fact]
    public void Create_TwoStreams_SeekingToABatchGivesTheBatchReadInSequence_AndEachStreamHasItsOwnOrder()
    {
        var data = new ColumnDataset(count: 8, height: 64, width: 64);
        var options = TwoStreams(low: (32, 32), high: (32, 32), crop: (16, 16));
        options.SourceStreams = options.TargetStreams;
        options.SourceRejectionSampling = true;
        using var scope = NewDisposeScope();
        var streams = new TrainingStreams(options, seed: 9);
        List<(List<string> Ids, Tensor Images, Tensor Labels)> Read(long from, int count)
        {
            using var stream = streams.Create(data, Shares(1, 2), salt: 2, isSource: true, randomScale: true, CPU, ImageNormalization.Reference);
            stream.Seek(from);
            var read = new List<(List<string>, Tensor, Tensor)>();
            for (var i = 0; i < count; i++)
            {
                var batch = stream.Next();
                read.Add(([.. batch.Ids], batch.Images.clone(), batch.Labels!.clone()));
            }

            return read;
        }

        var sequence = Read(0, 6);
        var resumed = Read(4, 2);

        for (var i = 0; i < 2; i++)
        {
            resumed[i].Ids.Should().Equal(sequence[4 + i].Ids);
            TensorAssert.Equal(resumed[i].Images, sequence[4 + i].Images, $"batch {4 + i} read after seeking to it");
            TensorAssert.Equal(resumed[i].Labels, sequence[4 + i].Labels, $"batch {4 + i} read after seeking to it");
        }

        // Both streams show the same view here; with their own seeds they visit the samples in different orders.
        var first = sequence.Select(b => b.Ids[0]).ToList();
        var second = sequence.Select(b => b.Ids[1]).ToList();
        first.Should().NotEqual(second);
    }

    [Fact]
    public void Create_SharesThatDoNotAddUpToTheBatchSize_ThrowsNamingTheOptions()
    {
        var data = new ColumnDataset(count: 6, height: 64, width: 64);
        var options = TwoStreams(low: (8, 8), high: (32, 32), crop: (8, 8));
        var streams = new TrainingStreams(options, seed: 1);

        var act = () => streams.Create(data, new StreamSplit(4, [1, 2], "DiGA:Pipeline:WarmUp:Stage"), salt: 2, isSource: false, randomScale: false, CPU, ImageNormalization.Reference);

        act.Should().Throw<InvalidOperationException>().WithMessage(
            "DiGA:Pipeline:WarmUp:Stage:StreamShares add up to 1 + 2 = 3 images, but DiGA:Pipeline:WarmUp:Stage:BatchSize is 4; they must be equal.");
    }

    [Fact]
    public void Validate_BrokenStreamRules_ReportsEachNamingTheOption()
    {
        var pipeline = new DiGAPipelineOptions();
        pipeline.Data.CropHeight = null;
        pipeline.Data.SourceStreams = [new TrainingStreamOptions { PreResizeHeight = 32 }, new TrainingStreamOptions { PreResizeHeight = 64, PreResizeWidth = 64 }];

        TrainingStreams.Validate(pipeline, new TranslatorTrainerOptions()).Should().Equal(
            "DiGA:Pipeline:Data:SourceStreams:0: set both PreResizeHeight and PreResizeWidth, or neither.",
            "DiGA:Pipeline:Data:SourceStreams: streams of different pre-resize sizes can only share a batch after a crop; set DiGA:Pipeline:Data:CropHeight and CropWidth.");
    }

    [Fact]
    public void Validate_SharesThatDoNotFitTheStreams_ReportsEachStageNamingItsOptions()
    {
        var pipeline = new DiGAPipelineOptions();
        pipeline.Data.SourceStreams = [new TrainingStreamOptions { PreResizeHeight = 32, PreResizeWidth = 64 }, new TrainingStreamOptions { PreResizeHeight = 64, PreResizeWidth = 128 }];
        pipeline.WarmUp.Stage.StreamShares = [1, 2];
        pipeline.DomainGeneralization.Stage.StreamShares = [1, 2];
        pipeline.SelfTraining.Stage.StreamShares = [3];
        var translator = new TranslatorTrainerOptions { StreamShares = [1, -1] };

        TrainingStreams.Validate(pipeline, translator).Should().Equal(
            "DiGA:Pipeline:DomainGeneralization:Stage:StreamShares add up to 1 + 2 = 3 images, but DiGA:Pipeline:DomainGeneralization:Stage:BatchSize is 4; they must be equal.",
            "DiGA:Pipeline:SelfTraining:Stage:StreamShares has 1 share(s), but DiGA:Pipeline:Data:SourceStreams has 2 stream(s); give one share per stream.",
            "DiGA:Translator:Training:StreamShares must not hold negative shares (1 + -1 = 0).");
    }

    [Fact]
    public void Validate_SharesWithoutStreams_AreReported()
    {
        var pipeline = new DiGAPipelineOptions();
        pipeline.WarmUp.Stage.StreamShares = [1, 2];

        TrainingStreams.Validate(pipeline, new TranslatorTrainerOptions()).Should().Equal(
            "DiGA:Pipeline:WarmUp:Stage:StreamShares splits the batch (1 + 2 = 3), but DiGA:Pipeline:Data:SourceStreams and TargetStreams are empty; leave it empty for one stream at the loaded size.");
    }

    private static List<(Tensor Images, Tensor Labels)> Read(TrainingStreams streams, ISegmentationDataset data, int salt, int from, int count)
    {
        using var stream = streams.Create(data, StreamSplit.OneStream(2), salt, isSource: true, randomScale: true, CPU, ImageNormalization.Reference);
        stream.Seek(from);
        var batches = new List<(Tensor, Tensor)>();
        for (var i = 0; i < count; i++)
        {
            var batch = stream.Next();
            batches.Add((batch.Images.clone(), batch.Labels!.clone()));
        }

        return batches;
    }

    private static bool Differs(List<(Tensor Images, Tensor Labels)> a, List<(Tensor Images, Tensor Labels)> b) =>
        a.Zip(b).Any(pair => !pair.First.Images.shape.SequenceEqual(pair.Second.Images.shape) || pair.First.Images.not_equal(pair.Second.Images).any().item<bool>());

    private static TrainingDataOptions TwoStreams((int Height, int Width) low, (int Height, int Width) high, (int Height, int Width) crop)
    {
        var options = Cropped();
        (options.CropHeight, options.CropWidth) = crop;
        options.TargetStreams =
        [
            new TrainingStreamOptions { PreResizeHeight = low.Height, PreResizeWidth = low.Width },
            new TrainingStreamOptions { PreResizeHeight = high.Height, PreResizeWidth = high.Width },
        ];
        return options;
    }

    private static StreamSplit Shares(params int[] shares) => new(shares.Sum(), shares, "test");

    // The range of label values of each image: how much of the 64-wide ramp it shows.
    private static long[] Spans(Tensor labels)
    {
        var flat = labels.flatten(1);
        return flat.amax(1).sub(flat.amin(1)).data<long>().ToArray();
    }

    /// <summary>Images whose label is the column x and whose pixels are 4x (grey), with unique ids.</summary>
    private sealed class ColumnDataset(int count, int height, int width) : ISegmentationDataset
    {
        public string Name => "columns";

        public int Count => count;

        public LabelSpace LabelSpace => LabelSpace.Cityscapes19;

        public bool HasLabels => true;

        public IReadOnlyList<SkippedSample> SkippedSamples => [];

        public SegmentationSample Load(int index)
        {
            var image = new byte[height * width * 3];
            var label = new byte[height * width];
            for (var i = 0; i < label.Length; i++)
            {
                label[i] = (byte)(i % width);
                image[3 * i] = image[(3 * i) + 1] = image[(3 * i) + 2] = (byte)(4 * (i % width));
            }

            return new SegmentationSample($"c{index}", width, height, image, label);
        }

        public string DescribeSample(int index) => $"columns[{index}]";
    }
}
