using System.Diagnostics;
using DiGA.Core.Data.Synthetic;
using DiGA.Core.Hosting;
using DiGA.Core.Labels;
using DiGA.Core.Models;
using DiGA.Core.Models.Checkpoints;
using DiGA.Core.Models.Compact;
using DiGA.Core.Training;
using DiGA.Core.Training.Pipeline;
using static TorchSharp.torch;

namespace DiGA.Core.Tests.Models.Inference;

/// <summary>
/// A tiny compact model trained once, through <see cref="DiGAPipeline.TrainSupervisedAsync"/>, on 32×64 source scenes of the
/// synthetic benchmark, and read back from the stage's best checkpoint together with the input scale it records.
/// </summary>
public sealed class TrainedSceneModel : IAsyncLifetime
{
    public const int Height = 32;
    public const int Width = 64;
    private const int Iterations = 300;

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("diga-predictor-");

    /// <summary>Gets scenes the model was not trained on, from the same (source) domain.</summary>
    public SyntheticDataset HeldOutScenes { get; } = new SyntheticBenchmark(Scenes(seed: 102, count: 8)).Source;

    /// <summary>Gets the model of the best checkpoint, in eval mode.</summary>
    public ISegmentationModel Model { get; private set; } = null!;

    /// <summary>Gets the input scale the checkpoint records.</summary>
    public InputScale InputScale { get; private set; } = null!;

    /// <summary>Gets the mIoU (percent) of the model on <see cref="HeldOutScenes"/> at the end of training.</summary>
    public double HeldOutMeanIoU { get; private set; }

    /// <summary>Gets the wall time of training.</summary>
    public TimeSpan TrainingTime { get; private set; }

    /// <summary>Normalises held-out scene <paramref name="index"/> for the model: <c>[1, 3, 32, 64]</c>.</summary>
    public Tensor Scene(int index)
    {
        var sample = HeldOutScenes.Load(index);
        return Model.Info.Normalization.Normalize(sample.Image, sample.Height, sample.Width);
    }

    public async Task InitializeAsync()
    {
        var stopwatch = Stopwatch.StartNew();
        var options = DiGAPresets.SyntheticDemo().Pipeline;
        options.WorkDirectory = _work.FullName;
        options.Data.Workers = 1;
        options.Data.InferenceBatchSize = 8;
        options.Evaluation.Scales = [1.0];
        var stage = options.Supervised;
        stage.Iterations = Iterations;
        stage.BatchSize = 8;
        stage.LogInterval = Iterations;
        stage.ValidationInterval = 0;
        stage.CheckpointInterval = 0;

        // Without dropout every draw of the stage comes from seeded generators, not from libtorch's process-wide one that
        // tests running in parallel share.
        using var student = new CompactSegmentationModel(new CompactSegmentationModelOptions
        {
            ClassNames = [.. LabelSpace.Cityscapes19.ClassNames],
            Width = 16,
            FeatureChannels = 32,
            DropoutRate = 0,
            Device = "cpu",
            Seed = 2,
        });
        var pipeline = new DiGAPipelineBuilder().WithOptions(options).WithSeed(2).Build();
        var training = new SyntheticBenchmark(Scenes(seed: 101, count: 64)).Source;
        var result = await pipeline.TrainSupervisedAsync(new SupervisedTrainingRequest("scenes", student, training) { Validation = HeldOutScenes });
        HeldOutMeanIoU = result.BestMeanIoU ?? double.NaN;

        var best = Path.Combine(_work.FullName, "stages", "scenes", "best.ckpt");
        Model = ModelCheckpoint.Load(best, "cpu");
        Model.Module.eval();
        InputScale = ModelCheckpoint.ReadInputScale(best) ?? throw new InvalidOperationException("The stage checkpoint records no input scale.");
        TrainingTime = stopwatch.Elapsed;
    }

    public Task DisposeAsync()
    {
        Model?.Dispose();
        _work.Delete(recursive: true);
        return Task.CompletedTask;
    }

    private static SyntheticBenchmarkOptions Scenes(int seed, int count) => new()
    {
        Seed = seed,
        Height = Height,
        Width = Width,
        SourceCount = count,
        TargetTrainCount = 1,
        TargetValCount = 1,
        MaxDegreeOfParallelism = 1,
    };
}
