using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DiGA.Core;
using DiGA.Core.Data;
using DiGA.Core.Data.Imaging;
using DiGA.Core.Data.Synthetic;
using DiGA.Core.Foundation;
using DiGA.Core.Hosting;
using DiGA.Core.Kernels.Metrics;
using DiGA.Core.Kernels.PseudoLabels;
using DiGA.Core.Labels;
using DiGA.Core.Models;
using DiGA.Core.Models.Checkpoints;
using DiGA.Core.Training;
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
/// fixed threshold, the target oracle and the translated-source baseline; prints and writes the per-class table.
/// </summary>
public sealed class DemoCommand(DiGAOptions options, SampleSettings settings, IServiceProvider services, ILogger<DemoCommand> logger)
{
    /// <summary>The runs, in the order they are trained and reported.</summary>
    public static IReadOnlyList<string> AllRuns { get; } =
        ["sourceOnly", "targetOracle", "translatedSourceOnly", "warmUpSymKD", "warmUp", "selfTraining", "selfTrainingFixedThreshold"];

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

        var timings = new Dictionary<string, double>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        settings.Benchmark.Seed = options.Seed;
        var benchmark = new SyntheticBenchmark(settings.Benchmark, services.GetService<ILogger<SyntheticBenchmark>>());
        var data = new DiGADatasets(benchmark.Source, benchmark.TargetTrain.WithoutLabels(), benchmark.TargetVal);
        _ = (benchmark.Source.Count, benchmark.TargetTrain.Count, benchmark.TargetVal.Count);
        timings["benchmark"] = clock.Elapsed.TotalSeconds;
        AnsiConsole.MarkupLine(CultureInfo.InvariantCulture, $"[bold]DiGA demo[/] seed {options.Seed}, target style {settings.Benchmark.TargetStyle}, {settings.Benchmark.Height}×{settings.Benchmark.Width}, {benchmark.Source.Count} source / {benchmark.TargetTrain.Count} target / {benchmark.TargetVal.Count} validation images (generated in {timings["benchmark"]:F1} s)");

        var device = TorchDevices.Resolve(options.Device);
        using var probe = CreateModel();
        clock.Restart();
        var translator = DomainTranslatorFactory.Create(options.Translator, data.TargetTrain, probe.Info.Normalization, device);
        timings["translatorFit"] = clock.Elapsed.TotalSeconds;
        try
        {
            var pipeline = CreatePipeline(translator, services.GetRequiredService<IPseudoLabelSelector>());
            var fixedThreshold = CreatePipeline(translator, new FixedThresholdSelector(options.FixedThreshold));
            var results = new Dictionary<string, (SegmentationMetrics Metrics, IReadOnlyList<StageResult> Stages)>(StringComparer.Ordinal);
            await ConsoleProgress.RunAsync(async progress =>
            {
                ISegmentationModel? warmUp = null;
                try
                {
                    foreach (var run in runs)
                    {
                        clock.Restart();
                        using var model = run.StartsWith("selfTraining", StringComparison.Ordinal)
                            ? (warmUp ?? throw new InvalidOperationException($"The run '{run}' starts from the warm-up: include 'warmUp' in the runs.")).Clone()
                            : CreateModel();
                        IReadOnlyList<StageResult> stages = run switch
                        {
                            "sourceOnly" => [await pipeline.TrainSupervisedAsync(run, model, data.Source, validation: data.Validation, progress: progress, cancellationToken: cancellationToken)],
                            "targetOracle" => [await pipeline.TrainSupervisedAsync(run, model, benchmark.TargetTrain, validation: data.Validation, progress: progress, cancellationToken: cancellationToken)],
                            "translatedSourceOnly" => [await pipeline.TrainSupervisedAsync(run, model, data.Source, translate: true, validation: data.Validation, progress: progress, cancellationToken: cancellationToken)],
                            "warmUpSymKD" => [await pipeline.WarmUpAsync(model, data.Source, data.TargetTrain, data.Validation, warmUp: WarmUpVariant(run, crossDomainMix: false), progress: progress, cancellationToken: cancellationToken)],
                            "warmUp" => [await pipeline.WarmUpAsync(model, data.Source, data.TargetTrain, data.Validation, warmUp: WarmUpVariant(run, crossDomainMix: true), progress: progress, cancellationToken: cancellationToken)],
                            "selfTraining" => await pipeline.SelfTrainRoundsAsync(model, data, stageName: run, progress: progress, cancellationToken: cancellationToken),
                            _ => await fixedThreshold.SelfTrainRoundsAsync(model, data, stageName: run, progress: progress, cancellationToken: cancellationToken),
                        };
                        var metrics = await pipeline.EvaluateAsync(model, data.Validation!, cancellationToken);
                        timings[run] = clock.Elapsed.TotalSeconds;
                        results[run] = (metrics, stages);
                        logger.LogInformation("{Run}: target mIoU {MeanIoU:F2} in {Seconds:F0} s", run, 100 * metrics.MeanIntersectionOverUnion, timings[run]);
                        WritePredictions(model, benchmark.TargetVal, Path.Combine(output, "predictions", run));
                        ModelCheckpoint.Save(model, Path.Combine(output, "models", run + ".ckpt"));
                        if (run == "warmUp")
                        {
                            warmUp = model.Clone();
                        }
                    }
                }
                finally
                {
                    warmUp?.Dispose();
                }

                return 0;
            });

            timings["total"] = total.Elapsed.TotalSeconds;
            PrintTable(results, runs);
            WriteMetrics(Path.Combine(output, "metrics.json"), results, timings);
            CurvePlotter.Write(results.Values.SelectMany(r => r.Stages), Path.Combine(output, "plots"));
            CurvePlotter.WriteSummary(runs.Where(results.ContainsKey).Select(r => (r, 100 * results[r].Metrics.MeanIntersectionOverUnion)).ToArray(), Path.Combine(output, "plots", "target-miou.png"));
            AnsiConsole.MarkupLine(CultureInfo.InvariantCulture, $"Wrote [bold]{Markup.Escape(Path.Combine(output, "metrics.json"))}[/], plots and predictions in {total.Elapsed.TotalSeconds:F0} s.");
            return 0;
        }
        finally
        {
            (translator as IDisposable)?.Dispose();
        }
    }

    private ISegmentationModel CreateModel() => SegmentationModelFactory.Create(options);

    private DiGAPipeline CreatePipeline(IDomainTranslator? translator, IPseudoLabelSelector selector) =>
        new(options.Pipeline, options.Seed, services.GetRequiredService<ISymmetricDistiller>(), services.GetRequiredService<ICrossDomainMixer>(), selector, translator, services.GetService<ILogger<DiGAPipeline>>());

    private WarmUpOptions WarmUpVariant(string name, bool crossDomainMix)
    {
        var warmUp = options.Pipeline.WarmUp;
        return new WarmUpOptions
        {
            Name = name,
            Stage = warmUp.Stage,
            UseCrossDomainMix = crossDomainMix,
            TargetBatchNormForward = warmUp.TargetBatchNormForward,
            Photometric = warmUp.Photometric,
            SegmentationWeight = warmUp.SegmentationWeight,
            DistillationWeight = warmUp.DistillationWeight,
        };
    }

    private void WritePredictions(ISegmentationModel model, ISegmentationDataset validation, string directory)
    {
        Directory.CreateDirectory(directory);
        model.Module.eval();
        using var noGrad = no_grad();
        for (var i = 0; i < Math.Min(settings.PredictionCount, validation.Count); i++)
        {
            using var scope = NewDisposeScope();
            var sample = validation.Load(i);
            var rgb = tensor(sample.Image, [1, sample.Height, sample.Width, 3]).permute(0, 3, 1, 2);
            var input = model.Info.Normalization.Normalize(rgb).to(model.Module.parameters().First().device);
            using var outputs = model.Forward(input);
            var logits = nn.functional.interpolate(outputs.Logits, [sample.Height, sample.Width], mode: InterpolationMode.Bilinear, align_corners: true);
            var labels = logits.argmax(1)[0].to(ScalarType.Byte).cpu();
            PredictionImages.SaveColorized(labels, Path.Combine(directory, $"{sample.Id}.png"), validation.LabelSpace);
            PredictionImages.SaveOverlay(rgb[0], labels, Path.Combine(directory, $"{sample.Id}-overlay.png"), validation.LabelSpace);
            if (sample.Label is { } truth)
            {
                PredictionImages.SaveColorized(tensor(truth, [sample.Height, sample.Width]), Path.Combine(directory, $"{sample.Id}-truth.png"), validation.LabelSpace);
            }
        }
    }

    private static void PrintTable(Dictionary<string, (SegmentationMetrics Metrics, IReadOnlyList<StageResult> Stages)> results, IReadOnlyList<string> runs)
    {
        var first = results.Values.First().Metrics;
        var classes = Enumerable.Range(0, first.ClassNames.Count).Where(c => results.Values.Any(r => !double.IsNaN(r.Metrics.IntersectionOverUnion[c]))).ToArray();
        var table = new Table().Title("Target-domain IoU (%) on the synthetic benchmark").AddColumn("run");
        foreach (var c in classes)
        {
            table.AddColumn(new TableColumn(first.ClassNames[c]).RightAligned());
        }

        table.AddColumn(new TableColumn("[bold]mIoU[/]").RightAligned());
        foreach (var run in runs.Where(results.ContainsKey))
        {
            var metrics = results[run].Metrics;
            var cells = new List<string> { run };
            cells.AddRange(classes.Select(c => double.IsNaN(metrics.IntersectionOverUnion[c]) ? "–" : (100 * metrics.IntersectionOverUnion[c]).ToString("F1", CultureInfo.InvariantCulture)));
            cells.Add($"[bold]{(100 * metrics.MeanIntersectionOverUnion).ToString("F1", CultureInfo.InvariantCulture)}[/]");
            table.AddRow(cells.ToArray());
        }

        AnsiConsole.Write(table);
    }

    private void WriteMetrics(string path, Dictionary<string, (SegmentationMetrics Metrics, IReadOnlyList<StageResult> Stages)> results, Dictionary<string, double> timings)
    {
        var root = new JsonObject
        {
            ["seed"] = options.Seed,
            ["targetStyle"] = settings.Benchmark.TargetStyle.ToString(),
            ["imageSize"] = $"{settings.Benchmark.Height}x{settings.Benchmark.Width}",
        };
        foreach (var (run, result) in results)
        {
            var summary = result.Metrics.ToPercent();
            root[run] = new JsonObject
            {
                ["mIoU"] = summary.MeanIoU,
                ["pixelAccuracy"] = summary.PixelAccuracy,
                ["perClass"] = new JsonObject(summary.PerClass.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
                ["seconds"] = Math.Round(timings[run], 1),
            };
        }

        root["timings"] = new JsonObject(timings.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)Math.Round(p.Value, 1))));
        ReportFile.WriteAllText(path, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}
