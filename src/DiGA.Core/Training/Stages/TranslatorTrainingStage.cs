using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DiGA.Core.Translation.Learned;
using Microsoft.Extensions.Logging;
using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Training.Stages;

/// <summary>
/// Stage 0: trains the learned translator with a <see cref="TranslatorTrainer"/> on seeded source and target batch streams,
/// with the same guarantees as the other stages — an atomic <c>last.ckpt</c> (six networks, both optimisers, the iteration,
/// the global torch generator and the loss history) that a new run resumes from, a NaN/Inf guard that names the iteration
/// and leaves the last good checkpoint intact, and cancellation that writes a checkpoint first.
/// </summary>
/// <remarks>
/// <c>enc_s.pth</c> and <c>dec_s2t.pth</c> (the inference pair) are written to the output folder at every checkpoint. A
/// checkpoint is written only after the losses of every step since the previous one and the weights were checked finite.
/// The stage owns the trainer; the streams belong to the caller.
/// </remarks>
internal sealed class TranslatorTrainingStage : IDisposable
{
    /// <summary>The stage name, used for progress and the checkpoint folder.</summary>
    public const string Name = "translator";

    private const string LastCheckpointName = "last.ckpt";

    private readonly TranslatorTrainer _trainer;
    private readonly int _iterations;
    private readonly int _checkpointInterval;
    private readonly string _checkpointPath;
    private readonly string _outputDirectory;
    private readonly BatchStream _source;
    private readonly BatchStream _target;
    private readonly int _seed;
    private readonly ILogger _logger;
    private readonly List<TranslatorStepLosses> _losses = [];

    public TranslatorTrainingStage(
        TranslatorTrainer trainer,
        int iterations,
        int checkpointInterval,
        string checkpointDirectory,
        string outputDirectory,
        BatchStream source,
        BatchStream target,
        int seed,
        ILogger logger)
    {
        _trainer = trainer;
        _iterations = iterations;
        _checkpointInterval = checkpointInterval;
        _checkpointPath = Path.Combine(checkpointDirectory, LastCheckpointName);
        _outputDirectory = outputDirectory;
        _source = source;
        _target = target;
        _seed = seed;
        _logger = logger;
    }

    /// <summary>Runs the stage to its end on a dedicated thread, resuming from <c>last.ckpt</c> when it exists.</summary>
    public Task<TranslatorTrainingResult> RunAsync(IProgress<TrainingProgress>? progress, CancellationToken cancellationToken) =>
        TrainingThread.RunAsync(() => Run(progress, cancellationToken), cancellationToken);

    public void Dispose() => _trainer.Dispose();

    private TranslatorTrainingResult Run(IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        random.manual_seed(_seed);
        var elapsedBefore = TimeSpan.Zero;
        if (File.Exists(_checkpointPath))
        {
            elapsedBefore = LoadCheckpoint();
            _logger.LogInformation("{Stage}: resuming from {Path} at iteration {Iteration}", Name, _checkpointPath, _trainer.Iteration);
        }

        var clock = Stopwatch.StartNew();
        TimeSpan Elapsed() => elapsedBefore + clock.Elapsed;
        _source.Seek(_trainer.Iteration);
        _target.Seek(_trainer.Iteration);
        while (_trainer.Iteration < _iterations)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                SaveCheckpoint(Elapsed());
                cancellationToken.ThrowIfCancellationRequested();
            }

            var iteration = _trainer.Iteration;
            TranslatorStepLosses step;
            using (NewDisposeScope())
            {
                var sourceBatch = _source.Next();
                step = _trainer.Step(sourceBatch.Images, sourceBatch.Labels!, _target.Next().Images);
            }

            var bad = step.Terms().Where(term => !double.IsFinite(term.Value)).Select(term => term.Key).ToArray();
            if (bad.Length > 0)
            {
                throw NonFinite($"the loss ({string.Join(", ", bad)}) became NaN or infinite at iteration {iteration + 1}");
            }

            _losses.Add(step);
            progress?.Report(new TrainingProgress(Name, iteration + 1, _iterations, step.Terms(), Elapsed(), null));
            if (_trainer.Iteration % _checkpointInterval == 0 || _trainer.Iteration == _iterations)
            {
                if (!_trainer.ParametersAreFinite())
                {
                    throw NonFinite($"a weight became NaN or infinite in the update of iteration {iteration + 1}");
                }

                SaveCheckpoint(Elapsed());
            }
        }

        _logger.LogInformation("{Stage}: finished {Iterations} iterations in {Elapsed}", Name, _iterations, Elapsed());
        return new TranslatorTrainingResult(_iterations, Elapsed(), _losses.ToArray(), _outputDirectory);
    }

    private NonFiniteLossException NonFinite(string what)
    {
        var last = File.Exists(_checkpointPath) ? _checkpointPath : null;
        return new NonFiniteLossException(
            string.Create(CultureInfo.InvariantCulture, $"Stage '{Name}': {what}. ") +
            (last is null ? "No checkpoint had been written." : $"The last good checkpoint '{last}' is intact; lower the learning rate and resume from it."))
        {
            Stage = Name,
            LastFiniteIteration = _losses.Count,
            LastCheckpoint = last,
        };
    }

    private void SaveCheckpoint(TimeSpan elapsed)
    {
        var manifest = new TranslatorCheckpointManifest(Name, _trainer.Iteration, _iterations, elapsed.TotalSeconds, _losses.ToArray());
        var entries = new Dictionary<string, Action<Stream>>(StringComparer.Ordinal)
        {
            ["manifest.json"] = stream => JsonSerializer.Serialize(stream, manifest),
            ["torch-random.dat"] = stream => random.get_rng_state().Save(stream),
        };
        _trainer.WriteState(entries);
        CheckpointArchive.Write(_checkpointPath, entries);
        _trainer.SaveTranslator(_outputDirectory);
        _logger.LogDebug("{Stage}: checkpoint {Path} at iteration {Iteration}", Name, _checkpointPath, _trainer.Iteration);
    }

    private TimeSpan LoadCheckpoint()
    {
        var entries = CheckpointArchive.Read(_checkpointPath);
        TranslatorCheckpointManifest manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<TranslatorCheckpointManifest>(entries.Require(_checkpointPath, "manifest.json"))
                ?? throw new InvalidDataException($"Checkpoint '{_checkpointPath}' has an empty manifest.");
        }
        catch (JsonException exception)
        {
            throw new InvalidDataException($"Checkpoint '{_checkpointPath}' has an unreadable manifest: {exception.Message}", exception);
        }

        if (manifest.Stage != Name)
        {
            throw new InvalidDataException($"Checkpoint '{_checkpointPath}' belongs to stage '{manifest.Stage}', not '{Name}'.");
        }

        _trainer.ReadState(entries, _checkpointPath, manifest.Iteration);
        using (var stream = new MemoryStream(entries.Require(_checkpointPath, "torch-random.dat")))
        using (var state = Tensor.Load(stream))
        {
            random.set_rng_state(state);
        }

        _losses.AddRange(manifest.Losses);
        return TimeSpan.FromSeconds(manifest.ElapsedSeconds);
    }
}

/// <summary>The manifest of a translator checkpoint.</summary>
internal sealed record TranslatorCheckpointManifest(string Stage, int Iteration, int MaxIterations, double ElapsedSeconds, IReadOnlyList<TranslatorStepLosses> Losses);
