using DiGA.Core.Data;
using DiGA.Core.Data.Synthetic;

namespace DiGA.Core.Training.Pipeline;

/// <summary>The datasets of an adaptation run.</summary>
/// <param name="Source">The labelled source training set (for example GTA5).</param>
/// <param name="TargetTrain">The target training images (for example Cityscapes train); labels, if any, are never used.</param>
/// <param name="Validation">An optional labelled target validation set for model selection and the final evaluation.</param>
public sealed record DiGADatasets(ISegmentationDataset Source, ISegmentationDataset TargetTrain, ISegmentationDataset? Validation = null)
{
    /// <summary>Initialises the datasets of the built-in synthetic benchmark: its source set, its target training images without their labels, and its target validation set.</summary>
    /// <param name="benchmark">The benchmark.</param>
    public DiGADatasets(SyntheticBenchmark benchmark)
        : this((benchmark ?? throw new ArgumentNullException(nameof(benchmark))).Source, benchmark.TargetTrain.WithoutLabels(), benchmark.TargetVal)
    {
    }

    /// <summary>Creates the datasets of a new synthetic benchmark, as <c>new DiGADatasets(new SyntheticBenchmark(options))</c>.</summary>
    /// <param name="options">The benchmark options, or <see langword="null"/> for the defaults.</param>
    /// <returns>The datasets; the images are generated on first access.</returns>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public static DiGADatasets FromSyntheticBenchmark(SyntheticBenchmarkOptions? options = null) => new(new SyntheticBenchmark(options));
}
