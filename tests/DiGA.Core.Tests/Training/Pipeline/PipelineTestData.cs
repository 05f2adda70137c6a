using DiGA.Core.Data;
using DiGA.Core.Data.Synthetic;
using DiGA.Core.Labels;
using DiGA.Core.Models.Compact;
using DiGA.Core.Training;

namespace DiGA.Core.Tests.Training.Pipeline;

/// <summary>Small inputs shared by the pipeline service tests.</summary>
internal static class PipelineTestData
{
    /// <summary>A few 32×64 synthetic scenes (target train split has 3, source 6).</summary>
    public static SyntheticBenchmark Scenes() => new(new SyntheticBenchmarkOptions
    {
        Seed = 21,
        Height = 32,
        Width = 64,
        SourceCount = 6,
        TargetTrainCount = 3,
        TargetValCount = 1,
        MaxDegreeOfParallelism = 1,
    });

    /// <summary>An untrained, seeded compact model over <paramref name="classNames"/> (the 19 Cityscapes classes by default).</summary>
    public static CompactSegmentationModel Model(IReadOnlyList<string>? classNames = null, int seed = 4) => new(new CompactSegmentationModelOptions
    {
        ClassNames = [.. classNames ?? LabelSpace.Cityscapes19.ClassNames],
        Width = 16,
        FeatureChannels = 32,
        Device = "cpu",
        Seed = seed,
    });

    /// <summary>Pipeline options over <paramref name="workDirectory"/> with one loader worker, one image per inference batch, and initial centroids in one pass at the loaded size.</summary>
    public static DiGAPipelineOptions Options(string workDirectory) => new()
    {
        WorkDirectory = workDirectory,
        Data = new TrainingDataOptions { Workers = 1, InferenceBatchSize = 1, PrefetchBatches = 2 },
        InitialCentroids = new InitialCentroidOptions { ResizeHeight = null, ResizeWidth = null, Passes = 1 },
    };

    /// <summary>Normalises sample <paramref name="index"/> for <paramref name="model"/> as the data loader does: <c>[1, 3, H, W]</c>.</summary>
    public static TorchSharp.torch.Tensor Input(ISegmentationDataset data, int index, ISegmentationModel model)
    {
        var sample = data.Load(index);
        return model.Info.Normalization.Normalize(sample.Image, sample.Height, sample.Width);
    }
}
