using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DiGA.Core.Foundation;
using DiGA.Core.Kernels.Teacher;
using DiGA.Core.Models;
using DiGA.Core.Models.Checkpoints;
using DiGA.Core.Models.Weights;
using DiGA.Core.Training.Optimization;
using Microsoft.Extensions.Logging;
using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Training.Stages;

/// <summary>
/// The loop every training stage shares: learning-rate schedule, EMA teacher, one dispose scope per iteration, periodic
/// NaN/Inf checks and progress, validation with a best checkpoint, an atomic last-state checkpoint, cancellation and resume.
/// </summary>
/// <remarks>
/// A derived stage supplies the per-iteration losses. Host synchronisation happens only every
/// <see cref="StageOptions.LogInterval"/> iterations, at checkpoints and at validation. The trainer owns the teacher it
/// creates; the student belongs to the caller.
/// </remarks>
internal abstract class StageTrainer : IDisposable
{
    private const string LastCheckpointName = "last.ckpt";
    private const string BestCheckpointName = "best.ckpt";

    /// <summary>Salts that separate the per-iteration seeds of the library's dropout layers and of libtorch's default generator.</summary>
    private const ulong DropoutSalt = 0xD0D0, GlobalDropoutSalt = 0x610B;

    private readonly List<LossRecord> _lossHistory = [];
    private readonly LossAccumulator _losses;
    private readonly List<ValidationRecord> _validationHistory = [];
    private readonly Stopwatch _stopwatch = new();
    private TimeSpan _elapsedBeforeResume;
    private double? _bestMeanIoU;
    private double? _lastMeanIoU;
    private readonly EmaTeacher? _ema;
    private readonly PolyLearningRate _schedule;
    private readonly Generator _dropoutRandom;

    protected StageTrainer(string stageName, StageOptions options, ISegmentationModel student, bool useTeacher, StageContext context)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(stageName);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(context);
        StageName = stageName;
        Options = options;
        Student = student;
        Context = context;
        Device = context.Device;
        Random = new Generator((ulong)context.Seed, Device);
        _dropoutRandom = new Generator((ulong)context.Seed, Device);
        _losses = new LossAccumulator(Device);
        _ema = useTeacher ? new EmaTeacher(student, options.Teacher) : null;
        Optimizer = new SegmentationOptimizer(student, options.Optimizer);
        _schedule = new PolyLearningRate(new PolyLearningRateOptions
        {
            BaseLearningRate = options.Optimizer.BaseLearningRate,
            Power = options.PolyPower,
            MaxIterations = options.Iterations,
            RampIterations = options.Iterations,
            Schedule = options.Schedule,
            WarmUpIterations = options.LearningRateWarmUpIterations,
        });
    }

    protected string StageName { get; }

    protected StageOptions Options { get; }

    protected StageContext Context { get; }

    protected Device Device { get; }

    protected ISegmentationModel Student { get; }

    /// <summary>Gets the EMA teacher, owned by the trainer, or <see langword="null"/> for a stage without one.</summary>
    protected internal ISegmentationModel? Teacher => _ema?.Model;

    /// <summary>Gets the generator of every random choice of the stage (mix masks, photometric draws).</summary>
    protected Generator Random { get; }

    private SegmentationOptimizer Optimizer { get; }

    private ISegmentationModel EvaluatedModel => Options.EvaluateTeacher && Teacher is not null ? Teacher : Student;

    /// <summary>Runs the stage to its end on a dedicated thread, resuming from the last checkpoint in the context's directory when one exists.</summary>
    public Task<StageResult> RunAsync(IProgress<TrainingProgress>? progress, CancellationToken cancellationToken) =>
        TrainingThread.RunAsync(() => Run(progress, cancellationToken), cancellationToken);

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Computes the losses of one iteration; must contain <c>total</c>. Called inside the iteration's dispose scope with the student in train mode.</summary>
    protected abstract StageLossTensors ComputeLosses(int iteration);

    /// <summary>Prepares the data streams so that the next batch drawn is the one of <paramref name="iteration"/>.</summary>
    protected abstract void PositionData(int iteration);

    /// <summary>Adds stage-specific state (for example centroids) to a checkpoint.</summary>
    protected virtual void SaveExtraState(IDictionary<string, Action<Stream>> entries)
    {
    }

    /// <summary>Restores what <see cref="SaveExtraState"/> wrote.</summary>
    protected virtual void LoadExtraState(IReadOnlyDictionary<string, byte[]> entries, string path)
    {
    }

    /// <summary>Releases the teacher, the optimiser, the generators and the loss accumulators.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (!disposing)
        {
            return;
        }

        _ema?.Dispose();
        Optimizer.Dispose();
        Random.Dispose();
        _dropoutRandom.Dispose();
        _losses.Dispose();
    }

    private StageResult Run(IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var directory = Context.CheckpointDirectory;
        var lastPath = directory is null ? null : Path.Combine(directory, LastCheckpointName);
        var start = 0;
        if (lastPath is not null && File.Exists(lastPath))
        {
            start = LoadCheckpoint(lastPath);
            Context.Logger.LogInformation("{Stage}: resuming from {Path} at iteration {Iteration}", StageName, lastPath, start);
        }

        if (start >= Options.Iterations)
        {
            Context.Logger.LogInformation("{Stage}: already finished in {Path}", StageName, lastPath);
            return Finish();
        }

        PositionData(start);
        _stopwatch.Restart();
        var finiteUpTo = start;
        using (var modeScope = new TrainModeScope(Student, Teacher))
        {
            for (var iteration = start; iteration < Options.Iterations; iteration++)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    CheckFinite(iteration, lastPath);
                    if (lastPath is not null)
                    {
                        SaveCheckpoint(lastPath, iteration);
                    }

                    cancellationToken.ThrowIfCancellationRequested();
                }

                RunIteration(iteration);
                var done = iteration + 1;
                var validate = Context.Validate is not null && Options.ValidationInterval > 0 && done % Options.ValidationInterval == 0 && done < Options.Iterations;
                var checkpoint = lastPath is not null && Options.CheckpointInterval > 0 && done % Options.CheckpointInterval == 0 && done < Options.Iterations;
                if (done % Options.LogInterval == 0 || validate || checkpoint || done == Options.Iterations)
                {
                    CheckFinite(done, lastPath);
                    finiteUpTo = done;
                    if (validate)
                    {
                        Validate(done, directory);
                    }

                    progress?.Report(new TrainingProgress(StageName, done, Options.Iterations, _lossHistory[^1].Losses.Terms(), Elapsed, _lastMeanIoU));
                }

                if (checkpoint)
                {
                    SaveCheckpoint(lastPath!, done);
                }
            }
        }

        if (Context.Validate is not null)
        {
            Validate(Options.Iterations, directory);
        }

        if (lastPath is not null)
        {
            SaveCheckpoint(lastPath, Options.Iterations);
        }

        Context.Logger.LogInformation("{Stage}: finished {Iterations} iterations in {Elapsed}", StageName, Options.Iterations, Elapsed);
        return Finish();
    }

    private StageResult Finish()
    {
        if (Context.LeaveBestCheckpoint)
        {
            LoadBestCheckpoint();
        }
        else if (Options.EvaluateTeacher && Teacher is not null)
        {
            EmaTeacher.Blend(Student.Module, Teacher.Module, decay: 0.0, copyBuffers: true);
        }

        return new StageResult(StageName, Options.Iterations, Elapsed, _lossHistory.ToArray(), _validationHistory.ToArray(), _bestMeanIoU);
    }

    /// <summary>Copies the best validation checkpoint (the student's or, with <see cref="StageOptions.EvaluateTeacher"/>, the teacher's state) into the student.</summary>
    private void LoadBestCheckpoint()
    {
        var path = Context.CheckpointDirectory is { } directory ? Path.Combine(directory, BestCheckpointName) : null;
        if (path is null || !File.Exists(path))
        {
            throw new InvalidOperationException(
                $"Stage '{StageName}': DiGAPipelineOptions.CarriedModel is BestOnValidation, but the stage has no best validation checkpoint " +
                $"('{path ?? "no checkpoint folder"}'); it needs a validation set and a checkpoint folder, or set CarriedModel to Last.");
        }

        WeightImporter.Load(Student.Module, path);
        Context.Logger.LogInformation("{Stage}: the model continues from the best validation checkpoint {Path} (mIoU {MeanIoU:F2})", StageName, path, _bestMeanIoU);
    }

    private TimeSpan Elapsed => _elapsedBeforeResume + _stopwatch.Elapsed;

    private void RunIteration(int iteration)
    {
        using var scope = NewDisposeScope();
        _losses.Add(Step(iteration));
    }

    /// <summary>
    /// One training iteration: the learning rate of <paramref name="iteration"/>, the EMA teacher update, the stage's losses on
    /// the next batches, the backward pass and the optimiser step.
    /// </summary>
    /// <param name="iteration">The zero-based iteration.</param>
    /// <returns>The iteration's loss terms, in the caller's dispose scope; the student's gradients stay in place until the next step.</returns>
    /// <remarks>
    /// The loop calls it inside the iteration's dispose scope with the models in train mode; stage-level parity tests call it once.
    /// The dropout and drop-path masks of the iteration's forward passes depend only on the stage seed and
    /// <paramref name="iteration"/>: the library's layers draw from the trainer's dropout generator, installed on this
    /// thread and seeded from both, so that nothing else in the process takes draws from their stream; layers of other
    /// models that draw from libtorch's default generator find it seeded from both as well (a separate stream). A run
    /// resumed at any iteration draws the same masks as an uninterrupted one.
    /// </remarks>
    internal StageLossTensors Step(int iteration)
    {
        _schedule.Apply(Optimizer, iteration);
        _ema?.Update(Student, iteration);

        var seed = (ulong)(uint)Context.Seed;
        _dropoutRandom.manual_seed(unchecked((long)Pcg32.Hash(seed, (ulong)iteration, DropoutSalt)));
        torch.random.manual_seed(unchecked((long)Pcg32.Hash(seed, (ulong)iteration, GlobalDropoutSalt)));
        StageLossTensors losses;
        using (DropoutRandom.Use(_dropoutRandom))
        {
            losses = ComputeLosses(iteration);
        }

        Optimizer.ZeroGrad();
        losses.Total.backward();
        Optimizer.Step();
        return losses;
    }

    private void CheckFinite(int iteration, string? lastPath)
    {
        if (_losses.IsEmpty)
        {
            return;
        }

        var means = _losses.TakeMeans();
        var bad = means.Terms().Where(term => !double.IsFinite(term.Value)).Select(term => term.Key).ToArray();
        if (bad.Length > 0)
        {
            var last = lastPath is not null && File.Exists(lastPath) ? lastPath : null;
            throw new NonFiniteLossException(
                string.Create(CultureInfo.InvariantCulture, $"Stage '{StageName}': the loss ({string.Join(", ", bad)}) became NaN or infinite before iteration {iteration}. ") +
                (last is null ? "No checkpoint had been written." : $"The last good checkpoint '{last}' is intact; lower the learning rate and resume from it."))
            {
                Stage = StageName,
                LastFiniteIteration = _lossHistory.Count == 0 ? 0 : _lossHistory[^1].Iteration,
                LastCheckpoint = last,
            };
        }

        _lossHistory.Add(new LossRecord(iteration, means));
    }

    private void Validate(int iteration, string? directory)
    {
        var model = EvaluatedModel;
        var wasTraining = model.Module.training;
        var metrics = Context.Validate!(model);
        model.Module.train(wasTraining);
        var meanIoU = 100 * metrics.MeanIntersectionOverUnion;
        _lastMeanIoU = meanIoU;
        _validationHistory.Add(new ValidationRecord(iteration, meanIoU));
        Context.Logger.LogInformation("{Stage}: iteration {Iteration} validation mIoU {MeanIoU:F2}", StageName, iteration, meanIoU);
        if (_bestMeanIoU is null || meanIoU > _bestMeanIoU)
        {
            _bestMeanIoU = meanIoU;
            if (directory is not null)
            {
                ModelCheckpoint.Save(EvaluatedModel, Path.Combine(directory, BestCheckpointName), Context.InputScale);
            }
        }
    }

    private void SaveCheckpoint(string path, int iteration)
    {
        var manifest = new StageCheckpointManifest(StageName, iteration, Options.Iterations, Elapsed.TotalSeconds, _bestMeanIoU, _lastMeanIoU, _lossHistory.ToArray(), _validationHistory.ToArray());
        var entries = new Dictionary<string, Action<Stream>>(StringComparer.Ordinal)
        {
            ["manifest.json"] = stream => JsonSerializer.Serialize(stream, manifest),
            ["student.dat"] = stream => Student.Module.save(stream),
            ["optimizer.dat"] = stream => Optimizer.Save(stream),
            ["random.dat"] = stream => Random.get_state().Save(stream),
        };
        if (Teacher is not null)
        {
            entries["teacher.dat"] = stream => Teacher.Module.save(stream);
        }

        SaveExtraState(entries);
        CheckpointArchive.Write(path, entries);
        Context.Logger.LogDebug("{Stage}: checkpoint {Path} at iteration {Iteration}", StageName, path, iteration);
    }

    private int LoadCheckpoint(string path)
    {
        var entries = CheckpointArchive.Read(path);
        StageCheckpointManifest? manifest = null;
        entries.Load(path, "manifest.json", CheckpointEntryFormat.Other, stream => manifest = JsonSerializer.Deserialize<StageCheckpointManifest>(stream));
        if (manifest is null)
        {
            throw new InvalidDataException($"Checkpoint '{path}' has an empty manifest.");
        }

        if (manifest.Stage != StageName)
        {
            throw new InvalidDataException($"Checkpoint '{path}' belongs to stage '{manifest.Stage}', not '{StageName}'.");
        }

        entries.Load(path, "student.dat", CheckpointEntryFormat.ModuleState, stream => Student.Module.load(stream));
        if (Teacher is not null)
        {
            entries.Load(path, "teacher.dat", CheckpointEntryFormat.ModuleState, stream => Teacher.Module.load(stream));
        }

        entries.Load(path, "optimizer.dat", CheckpointEntryFormat.Other, Optimizer.Load);
        entries.Load(path, "random.dat", CheckpointEntryFormat.Tensor, stream =>
        {
            using var state = Tensor.Load(stream);
            CheckpointArchive.CheckGeneratorState(state, path, "random.dat");
            Random.set_state(state);
        });
        // Checkpoints of earlier versions also hold libtorch's default generator ("torch-random.dat"); the stage now seeds
        // it at every iteration, so the entry is ignored.
        LoadExtraState(entries, path);
        _elapsedBeforeResume = TimeSpan.FromSeconds(manifest.ElapsedSeconds);
        _bestMeanIoU = manifest.BestMeanIoU;
        _lastMeanIoU = manifest.LastMeanIoU;
        _lossHistory.AddRange(manifest.Losses);
        _validationHistory.AddRange(manifest.Validations);
        return manifest.Iteration;
    }

    /// <summary>Puts the student (and teacher) in train mode for the loop, and restores eval mode afterwards.</summary>
    private sealed class TrainModeScope : IDisposable
    {
        private readonly ISegmentationModel _student;
        private readonly ISegmentationModel? _teacher;

        public TrainModeScope(ISegmentationModel student, ISegmentationModel? teacher)
        {
            _student = student;
            _teacher = teacher;
            _student.Module.train();
            _teacher?.Module.train();
        }

        public void Dispose()
        {
            _student.Module.eval();
            _teacher?.Module.eval();
        }
    }
}

/// <summary>The manifest of a stage checkpoint.</summary>
internal sealed record StageCheckpointManifest(
    string Stage,
    int Iteration,
    int MaxIterations,
    double ElapsedSeconds,
    double? BestMeanIoU,
    double? LastMeanIoU,
    IReadOnlyList<LossRecord> Losses,
    IReadOnlyList<ValidationRecord> Validations);
