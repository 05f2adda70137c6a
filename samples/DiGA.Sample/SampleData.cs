using DiGA.Core.Data;
using DiGA.Core.Data.Synthetic;
using DiGA.Core.Training;
using DiGA.Core.Training.Pipeline;

namespace DiGA.Sample;

/// <summary>The datasets of a sample command: the real ones named in the settings, or the built-in synthetic benchmark.</summary>
public static class SampleData
{
    /// <summary>Opens the source, target and validation sets; without <paramref name="requireTarget"/> (source only, or domain generalisation without the target forward) a missing target set is replaced by the source images, which those stages never read.</summary>
    public static DiGADatasets Open(SampleSettings settings, int seed, bool requireTarget = true)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var paths = settings.Data;
        if (paths.Source is null && paths.Target is null && paths.Validation is null)
        {
            settings.Benchmark.Seed = seed;
            return new DiGADatasets(new SyntheticBenchmark(settings.Benchmark));
        }

        var source = paths.Source is null ? null : DatasetSpec.Open(paths.Source, "train", paths.SourceList);
        var target = paths.Target is null ? null : DatasetSpec.Open(paths.Target, "train").WithoutLabels();
        var validation = paths.Validation is null ? null : DatasetSpec.Open(paths.Validation, "val");
        return new DiGADatasets(
            source ?? throw new ArgumentException("Give --source kind:root for the labelled source set."),
            target ?? (requireTarget ? throw new ArgumentException("Give --target kind:root for the target training images.") : source!.WithoutLabels()),
            validation);
    }

    /// <summary>Opens the labelled set of <c>evaluate</c>: <c>--validation</c>, or the synthetic target validation set.</summary>
    public static ISegmentationDataset OpenValidation(SampleSettings settings, int seed)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Data.Validation is { } spec)
        {
            return DatasetSpec.Open(spec, "val");
        }

        settings.Benchmark.Seed = seed;
        return new SyntheticBenchmark(settings.Benchmark).TargetVal;
    }

    /// <summary>Opens the labelled synthetic target training set (for the target oracle).</summary>
    public static ISegmentationDataset OpenLabelledTarget(SampleSettings settings, int seed)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Benchmark.Seed = seed;
        return new SyntheticBenchmark(settings.Benchmark).TargetTrain;
    }

    /// <summary>Opens the target images of <c>pseudo-label</c>: <c>--target</c>, or the synthetic target training set.</summary>
    public static ISegmentationDataset OpenTarget(SampleSettings settings, int seed)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Data.Target is { } spec)
        {
            return DatasetSpec.Open(spec, "train").WithoutLabels();
        }

        settings.Benchmark.Seed = seed;
        return new SyntheticBenchmark(settings.Benchmark).TargetTrain.WithoutLabels();
    }
}
