using System.Text.Json;
using DiGA.Core;
using DiGA.Core.Foundation;
using DiGA.Core.Hosting;
using DiGA.Core.Kernels.Metrics;
using DiGA.Core.Models.Checkpoints;
using DiGA.Core.Training;
using DiGA.Core.Translation;
using DiGA.Sample.Reporting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace DiGA.Sample.Commands;

/// <summary>Trains one stage, or the whole adaptation, on real datasets or the synthetic benchmark, and saves the model.</summary>
/// <remarks>
/// Stages: <c>translator</c> (the learned translator, stage 0), <c>all</c> (warm-up then self-training rounds), <c>warmup</c>, <c>selftraining</c> (needs <c>--checkpoint</c> of a
/// warmed-up model), <c>dg</c> (warm-up without translator, evaluated on the validation set), <c>sourceonly</c>, <c>oracle</c>
/// (target labels; synthetic benchmark only). Runs resume from the checkpoints in the work folder.
/// </remarks>
public sealed class TrainCommand(DiGAOptions options, SampleSettings settings, IServiceProvider services, ILogger<TrainCommand> logger)
{
    /// <summary>Runs the stage.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var output = Path.GetFullPath(settings.Output);
        Directory.CreateDirectory(output);
        if (options.Pipeline.WorkDirectory == new DiGAPipelineOptions().WorkDirectory)
        {
            options.Pipeline.WorkDirectory = Path.Combine(output, "work");
        }

        var stage = settings.Stage.ToLowerInvariant();
        var data = SampleData.Open(settings, options.Seed, requireTarget: stage is not ("dg" or "sourceonly"));
        if (stage == "translator")
        {
            var directory = Path.Combine(output, "translator");
            var pipelineForTranslator = services.GetRequiredService<DiGAPipeline>();
            var result = await ConsoleProgress.RunAsync(progress => pipelineForTranslator.TrainTranslatorAsync(data.Source, data.TargetTrain, options.Translator.Training, TorchDevices.Resolve(options.Device), directory, progress: progress, cancellationToken: cancellationToken));
            CurvePlotter.Write([result], Path.Combine(output, "plots"));
            AnsiConsole.MarkupLine($"Saved the translator to [bold]{Markup.Escape(directory)}[/]; use it with --DiGA:Translator:Kind Learned --DiGA:Translator:LearnedWeightsDirectory {Markup.Escape(directory)}.");
            return 0;
        }

        var model = settings.Checkpoint is { } checkpoint
            ? ModelCheckpoint.Load(checkpoint, TorchDevices.Resolve(options.Device).ToString())
            : services.GetRequiredService<ISegmentationModel>();
        var translator = stage is "dg" or "sourceonly" or "oracle" ? null : DomainTranslatorFactory.Create(options.Translator, data.TargetTrain, model.Info.Normalization, TorchDevices.Resolve(options.Device));
        try
        {
            var pipeline = new DiGAPipeline(options.Pipeline, options.Seed, services.GetRequiredService<ISymmetricDistiller>(), services.GetRequiredService<ICrossDomainMixer>(), services.GetRequiredService<IPseudoLabelSelector>(), translator, services.GetService<ILogger<DiGAPipeline>>());
            var stages = await ConsoleProgress.RunAsync<IReadOnlyList<StageResult>>(async progress => stage switch
            {
                "all" => (await pipeline.RunAsync(model, data, progress, cancellationToken)).Stages,
                "warmup" => [await pipeline.WarmUpAsync(model, data.Source, data.TargetTrain, data.Validation, progress: progress, cancellationToken: cancellationToken)],
                "dg" => [await pipeline.WarmUpAsync(model, data.Source, data.TargetTrain, data.Validation, new WarmUpOptions { Name = "domainGeneralization", Stage = options.Pipeline.WarmUp.Stage, UseCrossDomainMix = false, TargetBatchNormForward = false, Photometric = options.Pipeline.WarmUp.Photometric, DistillationWeight = options.Pipeline.WarmUp.DistillationWeight, SegmentationWeight = options.Pipeline.WarmUp.SegmentationWeight }, progress, cancellationToken)],
                "selftraining" => await pipeline.SelfTrainRoundsAsync(model, data, progress: progress, cancellationToken: cancellationToken),
                "sourceonly" => [await pipeline.TrainSupervisedAsync("sourceOnly", model, data.Source, validation: data.Validation, progress: progress, cancellationToken: cancellationToken)],
                "oracle" when data.Validation is not null && settings.Data.Target is null => [await pipeline.TrainSupervisedAsync("targetOracle", model, SampleData.OpenLabelledTarget(settings, options.Seed), validation: data.Validation, progress: progress, cancellationToken: cancellationToken)],
                _ => throw new ArgumentException($"Unknown --stage '{settings.Stage}'. Use translator, all, warmup, selftraining, dg, sourceonly or oracle (synthetic benchmark only)."),
            });

            var modelPath = Path.Combine(output, "models", $"{stage}.ckpt");
            ModelCheckpoint.Save(model, modelPath);
            AnsiConsole.MarkupLine($"Saved the model to [bold]{Markup.Escape(modelPath)}[/].");
            SegmentationMetrics? metrics = null;
            if (data.Validation is not null)
            {
                metrics = await pipeline.EvaluateAsync(model, data.Validation, cancellationToken);
                AnsiConsole.Write(new Text(metrics.ToTable($"{data.Validation.Name} after {stage}")));
            }

            var others = new Dictionary<string, MetricsSummary>(StringComparer.Ordinal);
            foreach (var spec in settings.Data.Evaluate)
            {
                var set = DatasetSpec.Open(spec, "val");
                var result = await pipeline.EvaluateAsync(model, set, cancellationToken);
                AnsiConsole.Write(new Text(result.ToTable($"{set.Name} after {stage}")));
                others[set.Name] = result.ToPercent();
            }

            var summary = new Dictionary<string, object?>
            {
                ["seed"] = options.Seed,
                ["stage"] = stage,
                ["evaluation"] = metrics?.ToPercent(),
                ["otherEvaluations"] = others,
                ["stages"] = stages.Select(s => new { s.Stage, s.Iterations, Seconds = Math.Round(s.Elapsed.TotalSeconds, 1), s.BestMeanIoU }).ToArray(),
            };
            ReportFile.WriteAllText(Path.Combine(output, "metrics.json"), JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true }));
            CurvePlotter.Write(stages, Path.Combine(output, "plots"));
            logger.LogInformation("Training finished: {Stages}", string.Join(", ", stages.Select(s => s.Stage)));
            return 0;
        }
        finally
        {
            (translator as IDisposable)?.Dispose();
            if (settings.Checkpoint is not null)
            {
                model.Dispose();
            }
        }
    }
}
