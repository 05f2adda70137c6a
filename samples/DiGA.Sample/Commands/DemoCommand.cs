using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using DiGA.Core;
using DiGA.Core.Data;
using DiGA.Core.Data.Imaging;
using DiGA.Core.Data.Synthetic;
using DiGA.Core.Hosting;
using DiGA.Core.Kernels.Augmentation;
using DiGA.Core.Kernels.Metrics;
using DiGA.Core.Kernels.PseudoLabels;
using DiGA.Core.Labels;
using DiGA.Core.Models;
using DiGA.Core.Models.Checkpoints;
using DiGA.Core.Models.Inference;
using DiGA.Core.Training;
using DiGA.Core.Training.Pipeline;
using DiGA.Core.Translation;
using DiGA.Sample.Reporting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Spectre.Console;
using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Sample.Commands;

/// <summary>
/// The main job: on the built-in synthetic benchmark, trains and evaluates on the target domain a source-only model, the
/// warm-up with SymKD alone and with the cross-domain mixture, self-training with the threshold-free selection and with a
/// fixed threshold, the target oracle and the translated-source baselines (the configured translator, and the Fourier
/// translator); prints and writes the per-class table.
/// </summary>
public sealed class DemoCommand(DiGAOptions options, SampleSettings settings, IServiceProvider services, ILogger<DemoCommand> logger)
{
    /// <summary>Creates the <c>demo</c> command.</summary>
    public static Command Create(SampleHost host) => host.Runs<DemoCommand>(
        new Command("demo", "Run every baseline and DiGA stage on the built-in synthetic benchmark and print the target-domain mIoU table (the default command).")
        {
            SampleOptions.Output("Output folder: metrics.json, plots, predictions, models and work/."),
            SampleOptions.Seed(),
            SampleOptions.Device(),
            SampleOptions.Preset(),
            SampleOptions.Style(),
            SampleOptions.Height(),
            SampleOptions.Width(),
        },
        (command, cancellationToken) => command.RunAsync(cancellationToken));

    /// <summary>The runs, in the order they are trained and reported.</summary>
    public static IReadOnlyList<string> AllRuns { get; } =
        ["sourceOnly", "targetOracle", "translatedSourceOnly", "fourierTranslatedSourceOnly", "warmUpSymKD", "warmUp", "selfTraining", "selfTrainingFixedThreshold"];

    /// <summary>Runs the demo and writes <c>metrics.json</c>, plots and predictions to the output folder.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var total = Stopwatch.StartNew();
        var output = Path.GetFullPath(settings.Output);
        Directory.CreateDirectory(output);
        options.Pipeline.WorkDirectory = Path.Combine(output, "work");
        var runs = settings.Runs.Count == 0 ? AllRuns : settings.Runs.ToArray();
        var unknown = runs.Except(AllRuns, StringComparer.Ordinal).ToArray();
        if (unknown.Length > 0)
        {
            throw new ArgumentException($"Unknown demo run(s) {string.Join(", ", unknown)}; known runs: {string.Join(", ", AllRuns)}.");
        }

        if (runs.Any(StartsFromWarmUp) && !runs.Contains("warmUp"))
        {
            throw new ArgumentException($"The runs {string.Join(", ", runs.Where(StartsFromWarmUp))} start from the warm-up: include 'warmUp' in the runs.");
        }

        if (settings.ConcurrentRuns < 1)
        {
            throw new ArgumentException($"Sample:ConcurrentRuns must be at least 1, not {settings.ConcurrentRuns}.");
        }

        var report = new MetricsReport("demo", options.Seed);
        var generation = Stopwatch.StartNew();
        settings.Benchmark.Seed = options.Seed;
        var benchmark = new SyntheticBenchmark(settings.Benchmark, services.GetService<ILogger<SyntheticBenchmark>>());
        var data = new DiGADatasets(benchmark);
        _ = (benchmark.Source.Count, benchmark.TargetTrain.Count, benchmark.TargetVal.Count);
        report.Timings["benchmark"] = Math.Round(generation.Elapsed.TotalSeconds, 1);
        report.Settings["targetStyle"] = settings.Benchmark.TargetStyle.ToString();
        report.Settings["imageSize"] = $"{settings.Benchmark.Height}x{settings.Benchmark.Width}";
        AnsiConsole.MarkupLine(CultureInfo.InvariantCulture, $"[bold]DiGA demo[/] seed {options.Seed}, target style {settings.Benchmark.TargetStyle}, {settings.Benchmark.Height}×{settings.Benchmark.Width}, {benchmark.Source.Count} source / {benchmark.TargetTrain.Count} target / {benchmark.TargetVal.Count} validation images (generated in {report.Timings["benchmark"]:F1} s)");

        var pipeline = services.GetRequiredService<DiGAPipeline>();
        var fourierPipeline = FourierPipeline();
        var models = services.GetRequiredService<ISegmentationModelFactory>();
        var fixedThreshold = new FixedThresholdSelector(options.FixedThreshold);
        var results = new ConcurrentDictionary<string, (SegmentationMetrics Metrics, IReadOnlyList<StageResult> Stages, double Seconds)>(StringComparer.Ordinal);
        var scale = new InputScale(settings.Benchmark.Height, settings.Benchmark.Width);
        var warmUp = new TaskCompletionSource<ISegmentationModel>(TaskCreationOptions.RunContinuationsAsynchronously);

        async Task TrainAsync(string run, IProgress<TrainingProgress> progress, CancellationToken cancellation)
        {
            using var model = StartsFromWarmUp(run) ? (await warmUp.Task.ConfigureAwait(false)).Clone() : models.Create();
            var clock = Stopwatch.StartNew();
            IReadOnlyList<StageResult> stages = run switch
            {
                "sourceOnly" => [await pipeline.TrainSupervisedAsync(new SupervisedTrainingRequest(run, model, data.Source) { Validation = data.Validation }, progress, cancellation)],
                "targetOracle" => [await pipeline.TrainSupervisedAsync(new SupervisedTrainingRequest(run, model, benchmark.TargetTrain) { Validation = data.Validation }, progress, cancellation)],
                "translatedSourceOnly" => [await pipeline.TrainSupervisedAsync(new SupervisedTrainingRequest(run, model, data.Source) { TranslateTowards = data.TargetTrain, Validation = data.Validation }, progress, cancellation)],
                "fourierTranslatedSourceOnly" => [await fourierPipeline.TrainSupervisedAsync(new SupervisedTrainingRequest(run, model, data.Source) { TranslateTowards = data.TargetTrain, Validation = data.Validation }, progress, cancellation)],
                "warmUpSymKD" => [await pipeline.WarmUpAsync(WarmUp(model, data, run, crossDomainMix: false), progress, cancellation)],
                "warmUp" => [await pipeline.WarmUpAsync(WarmUp(model, data, run, crossDomainMix: true), progress, cancellation)],
                "selfTraining" => await pipeline.SelfTrainAsync(new SelfTrainingRequest(model, data) { StageName = run }, progress, cancellation),
                _ => await pipeline.SelfTrainAsync(new SelfTrainingRequest(model, data) { StageName = run, Selector = fixedThreshold }, progress, cancellation),
            };
            var metrics = await pipeline.EvaluateAsync(model, data.Validation!, cancellation);
            var seconds = clock.Elapsed.TotalSeconds;
            results[run] = (metrics, stages, seconds);
            logger.LogInformation("{Run}: target mIoU {MeanIoU:F2} in {Seconds:F0} s", run, 100 * metrics.MeanIntersectionOverUnion, seconds);
            WritePredictions(model, scale, benchmark.TargetVal, Path.Combine(output, "predictions", run));
            ModelCheckpoint.Save(model, Path.Combine(output, "models", run + ".ckpt"), scale);
            if (run == "warmUp")
            {
                var start = model.Clone();
                if (!warmUp.TrySetResult(start))
                {
                    start.Dispose(); // another run failed first
                }
            }
        }

        // Runs train side by side, each with its share of the intra-op threads: at the demo's image size two one-thread
        // runs finish sooner than the same runs one after the other with two threads each (see docs/results.md). A run's
        // numbers depend on the seed and its thread count only, not on the runs beside it. A worker takes the first
        // pending run that can start; the warm-up comes first, since the self-training runs start from it.
        var pending = runs.OrderBy(run => run switch { "warmUp" => 0, "warmUpSymKD" => 1, _ => StartsFromWarmUp(run) ? 2 : 3 }).ToList();
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Exception? failure = null;
        async Task WorkAsync(IProgress<TrainingProgress> progress)
        {
            while (true)
            {
                string? run;
                lock (pending)
                {
                    if (pending.Count == 0 || failed.IsCancellationRequested)
                    {
                        return;
                    }

                    run = pending.Find(r => !StartsFromWarmUp(r) || warmUp.Task.IsCompleted);
                    if (run is not null)
                    {
                        pending.Remove(run);
                    }
                }

                if (run is null)
                {
                    await ((Task)warmUp.Task).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                    continue;
                }

                try
                {
                    await TrainAsync(run, progress, failed.Token).ConfigureAwait(false);
                }
                catch (Exception exception)
                {
                    Interlocked.CompareExchange(ref failure, exception, null);
                    warmUp.TrySetException(exception);
                    await failed.CancelAsync().ConfigureAwait(false);
                    return;
                }
            }
        }

        var concurrentRuns = Math.Min(settings.ConcurrentRuns, runs.Count);
        var threads = torch.get_num_threads();
        torch.set_num_threads(Math.Max(1, threads / concurrentRuns));
        report.Settings["threadsPerRun"] = torch.get_num_threads().ToString(CultureInfo.InvariantCulture);
        try
        {
            await ConsoleProgress.RunAsync(async progress =>
            {
                await Task.WhenAll(Enumerable.Range(0, concurrentRuns).Select(_ => Task.Run(() => WorkAsync(progress))));
                return 0;
            });
        }
        finally
        {
            torch.set_num_threads(threads);
            if (warmUp.Task.IsCompletedSuccessfully)
            {
                warmUp.Task.Result.Dispose();
            }
        }

        if (failure is not null)
        {
            ExceptionDispatchInfo.Throw(failure);
        }

        foreach (var run in runs.Where(results.ContainsKey))
        {
            report.Add(run, results[run].Metrics, results[run].Seconds, results[run].Stages);
        }

        report.Timings["total"] = Math.Round(total.Elapsed.TotalSeconds, 1);
        PrintTable(results, runs);
        report.Write(Path.Combine(output, "metrics.json"));
        CurvePlotter.Write(results.Values.SelectMany(r => r.Stages), Path.Combine(output, "plots"));
        CurvePlotter.WriteSummary(runs.Where(results.ContainsKey).Select(r => (r, 100 * results[r].Metrics.MeanIntersectionOverUnion)).ToArray(), Path.Combine(output, "plots", "target-miou.png"));
        AnsiConsole.MarkupLine(CultureInfo.InvariantCulture, $"Wrote [bold]{Markup.Escape(Path.Combine(output, "metrics.json"))}[/], plots and predictions in {total.Elapsed.TotalSeconds:F0} s.");
        return 0;
    }

    private static bool StartsFromWarmUp(string run) => run.StartsWith("selfTraining", StringComparison.Ordinal);

    /// <summary>The configured pipeline with the Fourier (FDA) translator of <see cref="TranslatorOptions.Fourier"/> in place of the configured one.</summary>
    private DiGAPipeline FourierPipeline() => new(
        options.Pipeline,
        options.Seed,
        new DiGAComponents(
            services.GetRequiredService<ISegmentationLoss>(),
            services.GetRequiredService<IPhotometricAugmenter>(),
            services.GetRequiredService<ISymmetricDistiller>(),
            services.GetRequiredService<ICrossDomainMixer>(),
            services.GetRequiredService<IPseudoLabelSelector>(),
            new DomainTranslatorFactory(new TranslatorOptions { Kind = TranslatorKind.Fourier, Fourier = options.Translator.Fourier, FitImageCount = options.Translator.FitImageCount })),
        services.GetService<ILoggerFactory>());

    private WarmUpRequest WarmUp(ISegmentationModel model, DiGADatasets data, string name, bool crossDomainMix)
    {
        var warmUp = options.Pipeline.WarmUp;
        var variant = new WarmUpOptions
        {
            Name = name,
            Stage = warmUp.Stage,
            UseCrossDomainMix = crossDomainMix,
            TargetBatchNormForward = warmUp.TargetBatchNormForward,
            Photometric = warmUp.Photometric,
            SegmentationWeight = warmUp.SegmentationWeight,
            DistillationWeight = warmUp.DistillationWeight,
        };
        return new WarmUpRequest(model, data.Source) { Target = data.TargetTrain, Validation = data.Validation, Options = variant };
    }

    private void WritePredictions(ISegmentationModel model, InputScale scale, ISegmentationDataset validation, string directory)
    {
        Directory.CreateDirectory(directory);
        var predictor = new SegmentationPredictor(model, new SegmentationPredictorOptions { InputScale = scale });
        for (var i = 0; i < Math.Min(settings.PredictionCount, validation.Count); i++)
        {
            using var scope = NewDisposeScope();
            var sample = validation.Load(i);
            var labels = predictor.PredictLabels(model.Info.Normalization.Normalize(sample.Image, sample.Height, sample.Width, model.Device))[0].to(ScalarType.Byte).cpu();
            PredictionImages.SaveColorized(labels, Path.Combine(directory, $"{sample.Id}.png"), validation.LabelSpace);
            PredictionImages.SaveOverlay(tensor(sample.Image, [sample.Height, sample.Width, 3]).permute(2, 0, 1), labels, Path.Combine(directory, $"{sample.Id}-overlay.png"), validation.LabelSpace);
            if (sample.Label is { } truth)
            {
                PredictionImages.SaveColorized(tensor(truth, [sample.Height, sample.Width]), Path.Combine(directory, $"{sample.Id}-truth.png"), validation.LabelSpace);
            }
        }
    }

    private static void PrintTable(IReadOnlyDictionary<string, (SegmentationMetrics Metrics, IReadOnlyList<StageResult> Stages, double Seconds)> results, IReadOnlyList<string> runs)
    {
        var first = results.Values.First().Metrics;
        var classes = Enumerable.Range(0, first.ClassNames.Count).Where(c => results.Values.Any(r => !double.IsNaN(r.Metrics.IntersectionOverUnion[c]))).ToArray();
        var table = new Table().Title("Target-domain IoU (%) on the synthetic benchmark").AddColumn("run");
        foreach (var c in classes)
        {
            table.AddColumn(new TableColumn(first.ClassNames[c]).RightAligned());
        }

        // The share of the source-only → oracle gap a run recovers, when both ends were run.
        var gap = results.TryGetValue("sourceOnly", out var source) && results.TryGetValue("targetOracle", out var oracle)
            ? (From: source.Metrics.MeanIntersectionOverUnion, Width: oracle.Metrics.MeanIntersectionOverUnion - source.Metrics.MeanIntersectionOverUnion)
            : ((double From, double Width)?)null;
        table.AddColumn(new TableColumn("[bold]mIoU[/]").RightAligned());
        if (gap is not null)
        {
            table.AddColumn(new TableColumn("gap recovered").RightAligned());
        }

        table.AddColumn(new TableColumn("time (s)").RightAligned());
        foreach (var run in runs.Where(results.ContainsKey))
        {
            var (metrics, _, seconds) = results[run];
            var cells = new List<string> { run };
            cells.AddRange(classes.Select(c => double.IsNaN(metrics.IntersectionOverUnion[c]) ? "–" : (100 * metrics.IntersectionOverUnion[c]).ToString("F1", CultureInfo.InvariantCulture)));
            cells.Add($"[bold]{(100 * metrics.MeanIntersectionOverUnion).ToString("F1", CultureInfo.InvariantCulture)}[/]");
            if (gap is { } g)
            {
                cells.Add((100 * (metrics.MeanIntersectionOverUnion - g.From) / g.Width).ToString("F0", CultureInfo.InvariantCulture) + " %");
            }

            cells.Add(seconds.ToString("F0", CultureInfo.InvariantCulture));
            table.AddRow(cells.ToArray());
        }

        AnsiConsole.Write(table);
    }
}
