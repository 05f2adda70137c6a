using DiGA.Core.Tests.Helpers;
using DiGA.Core.Training;
using DiGA.Core.Training.Pipeline;
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
        using var stream = new TrainingStreams(Cropped(), seed: 1).Create(source, batchSize: 4, salt: 1, isSource: true, randomScale, CPU, ImageNormalization.Reference);
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
        using var stream = new TrainingStreams(options, seed: 1).Create(source, batchSize: 4, salt: 1, isSource: true, randomScale: false, CPU, ImageNormalization.Reference);
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

    private static List<(Tensor Images, Tensor Labels)> Read(TrainingStreams streams, DiGA.Core.Data.ISegmentationDataset data, int salt, int from, int count)
    {
        using var stream = streams.Create(data, batchSize: 2, salt, isSource: true, randomScale: true, CPU, ImageNormalization.Reference);
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
}
