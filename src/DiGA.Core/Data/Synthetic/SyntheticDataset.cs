using DiGA.Core.Labels;

namespace DiGA.Core.Data.Synthetic;

/// <summary>One set of the synthetic benchmark, generated into memory (RGB and train-id bytes) when constructed.</summary>
/// <remarks>
/// Labels are in the Cityscapes 19-class train-id space (<see cref="LabelSpace.Cityscapes19"/>); 9 classes occur:
/// road, sidewalk, building, pole, vegetation, terrain, sky, person and car. Target training labels are present for
/// evaluation and the oracle only; pass the set through <see cref="SegmentationDatasetExtensions.WithoutLabels"/> to train
/// without them. Thread-safe; <see cref="Load"/> returns copies.
/// </remarks>
public sealed class SyntheticDataset : ISegmentationDataset
{
    private readonly SegmentationSample[] _samples;

    /// <summary>Generates a set.</summary>
    /// <param name="options">The benchmark options (copied values are used; later changes have no effect).</param>
    /// <param name="split">Which set to generate.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public SyntheticDataset(SyntheticBenchmarkOptions options, SyntheticSplit split)
    {
        ArgumentNullException.ThrowIfNull(options);
        SyntheticBenchmark.Validate(options);
        Split = split;
        var count = split switch
        {
            SyntheticSplit.Source => options.SourceCount,
            SyntheticSplit.TargetTrain => options.TargetTrainCount,
            _ => options.TargetValCount,
        };
        _samples = new SegmentationSample[count];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism > 0 ? options.MaxDegreeOfParallelism : Environment.ProcessorCount };
        Parallel.For(0, count, parallel, i => _samples[i] = SceneRenderer.Render(options, split, i));
        Name = split == SyntheticSplit.Source ? "synthetic-source" : $"synthetic-{(split == SyntheticSplit.TargetTrain ? "target-train" : "target-val")}-{options.TargetStyle.ToString().ToLowerInvariant()}";
        Width = options.Width;
        Height = options.Height;
    }

    /// <summary>Gets which set this is.</summary>
    public SyntheticSplit Split { get; }

    /// <summary>Gets the image width.</summary>
    public int Width { get; }

    /// <summary>Gets the image height.</summary>
    public int Height { get; }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public int Count => _samples.Length;

    /// <inheritdoc />
    public LabelSpace LabelSpace => LabelSpace.Cityscapes19;

    /// <inheritdoc />
    public bool HasLabels => true;

    /// <inheritdoc />
    public IReadOnlyList<SkippedSample> SkippedSamples => [];

    /// <inheritdoc />
    public SegmentationSample Load(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _samples.Length);
        var s = _samples[index];
        return new SegmentationSample(s.Id, s.Width, s.Height, (byte[])s.Image.Clone(), (byte[])s.Label!.Clone());
    }

    /// <inheritdoc />
    public string DescribeSample(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _samples.Length);
        return $"{Name}[{index}] ({_samples[index].Id}, generated)";
    }
}
