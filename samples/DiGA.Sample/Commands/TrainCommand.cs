using System.CommandLine;
using System.Text.Json;
using DiGA.Core;
using DiGA.Core.Foundation;
using DiGA.Core.Hosting;
using DiGA.Core.Models;
using DiGA.Core.Models.Checkpoints;
using DiGA.Core.Training;
using DiGA.Core.Training.Pipeline;
using DiGA.Sample.Reporting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace DiGA.Sample.Commands;

/// <summary>Trains one stage, or the whole adaptation, on real datasets or the synthetic benchmark, and saves the model.</summary>
/// <remarks>
/// Stages: <c>translator</c> (the learned translator, stage 0), <c>all</c> (warm-up then self-training rounds), <c>warmup</c>, <c>selftraining</c> (needs <c>--checkpoint</c> of a
/// warmed-up model), <c>dg</c> (the reference's domain-generalisation run, <see cref="DiGAPipelineOptions.DomainGeneralization"/>), <c>sourceonly</c>, <c>oracle</c>
/// (target labels; synthetic benchmark only). Runs resume from the checkpoints in the work folder.
/// </remarks>
public sealed class TrainCommand(DiGAOptions options, SampleSettings settings, IServiceProvider services, ILogger<TrainCommand> logger)
{
    /// <summary>Gets the stages <c>--stage</c> accepts.</summary>
    public static IReadOnlyList<string> Stages { get; } = ["all", "translator", "warmup", "selftraining", "dg", "sourceonly", "oracle"];

    /// <summary>Creates the <c>train</c> command.</summary>
    public static Command Create(SampleHost host)
    {
        var stage = new Option<string>("--stage") { Description = "Stage to train: all (warm-up then self-training), translator, warmup, selftraining (from --checkpoint), dg (domain generalisation, DiGA:Pipeline:DomainGeneralization), sourceonly or oracle (synthetic benchmark only). Default: all.", HelpName = "stage" };
        stage.AcceptOnlyFromAmong(StringComparer.OrdinalIgnoreCase, [.. Stages]);
        return host.Runs<TrainCommand>(
            new Command("train", "Train a stage on real datasets or the synthetic benchmark, save the model and write metrics.json.")
            {
                stage,
                SampleOptions.Source(),
                new Option<FileInfo>("--source-list") { Description = "List file restricting the source set (for example train_modified.txt).", HelpName = "file" }.AcceptExistingOnly(),
                SampleOptions.Target(),
                SampleOptions.Validation(),
                SampleOptions.Checkpoint("Model to start from."),
                SampleOptions.Output("Output folder: models, metrics.json, plots and work/."),
                new Option<string>("--work") { Description = "Folder of the checkpoints, pseudo-labels and centroids runs resume from. Default: <out>/work.", HelpName = "folder" },
                SampleOptions.Seed(),
                SampleOptions.Device(),
                SampleOptions.Preset(),
                SampleOptions.Style(),
                SampleOptions.Height(),
                SampleOptions.Width(),
            },
            (command, cancellationToken) => command.RunAsync(cancellationToken));
    }

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
        var generalization = options.Pipeline.DomainGeneralization;
        if (stage == "dg" && generalization.TargetBatchNormForward && settings.Data.Target is null && settings.Data.Source is not null)
        {
            throw new ArgumentException("The domain-generalisation run forwards target images for BatchNorm statistics, as the reference does: give --target kind:root, or set --DiGA:Pipeline:DomainGeneralization:TargetBatchNormForward false for a run that never sees the target domain.");
        }

        var data = SampleData.Open(settings, options.Seed, requireTarget: stage switch { "sourceonly" => false, "dg" => generalization.TargetBatchNormForward, _ => true });
        var pipeline = services.GetRequiredService<DiGAPipeline>();
        if (stage == "translator")
        {
            var directory = Path.Combine(output, "translator");
            var result = await ConsoleProgress.RunAsync(progress => pipeline.TrainTranslatorAsync(new TranslatorTrainingRequest(data.Source, data.TargetTrain, options.Translator.Training, directory), progress, cancellationToken));
            AnsiConsole.MarkupLine($"Saved the translator ({result.Iterations} iterations) to [bold]{Markup.Escape(directory)}[/]; use it with --DiGA:Translator:LearnedWeightsDirectory {Markup.Escape(directory)} (and --DiGA:Translator:Kind Learned where the preset has another translator).");
            return 0;
        }

        var model = settings.Checkpoint is { } checkpoint
            ? ModelCheckpoint.Load(checkpoint, TorchDevices.Resolve(options.Device).ToString())
            : services.GetRequiredService<ISegmentationModelFactory>().Create();
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var stages = await ConsoleProgress.RunAsync<IReadOnlyList<StageResult>>(async progress => stage switch
            {
                "all" => (await pipeline.RunAsync(model, data, progress, cancellationToken)).Stages,
                "warmup" => [await pipeline.WarmUpAsync(new WarmUpRequest(model, data.Source) { Target = data.TargetTrain, Validation = data.Validation }, progress, cancellationToken)],
                "dg" => [await pipeline.WarmUpAsync(new WarmUpRequest(model, data.Source) { Target = data.TargetTrain, Validation = data.Validation, Options = generalization }, progress, cancellationToken)],
                "selftraining" => await pipeline.SelfTrainAsync(new SelfTrainingRequest(model, data), progress, cancellationToken),
                "sourceonly" => [await pipeline.TrainSupervisedAsync(new SupervisedTrainingRequest("sourceOnly", model, data.Source) { Validation = data.Validation }, progress, cancellationToken)],
                "oracle" when data.Validation is not null && settings.Data.Target is null => [await pipeline.TrainSupervisedAsync(new SupervisedTrainingRequest("targetOracle", model, SampleData.OpenLabelledTarget(settings, options.Seed)) { Validation = data.Validation }, progress, cancellationToken)],
                _ => throw new ArgumentException($"Unknown --stage '{settings.Stage}'. Use translator, all, warmup, selftraining, dg, sourceonly or oracle (synthetic benchmark only)."),
            });

            var modelPath = Path.Combine(output, "models", $"{stage}.ckpt");
            var trainedOn = stage == "selftraining" || stage == "all" ? data.TargetTrain : data.Source;
            var first = trainedOn.Load(0);
            ModelCheckpoint.Save(model, modelPath, new InputScale(first.Height, first.Width, options.Pipeline.Data.CropHeight, options.Pipeline.Data.CropWidth));
            AnsiConsole.MarkupLine($"Saved the model to [bold]{Markup.Escape(modelPath)}[/].");
            var report = new MetricsReport("train", options.Seed);
            report.Settings["stage"] = stage;
            report.Timings["training"] = Math.Round(clock.Elapsed.TotalSeconds, 1);
            if (data.Validation is not null)
            {
                var metrics = await pipeline.EvaluateAsync(model, data.Validation, cancellationToken);
                AnsiConsole.Write(new Text(metrics.ToTable($"{data.Validation.Name} after {stage}")));
                report.Add(data.Validation.Name, metrics, clock.Elapsed.TotalSeconds, stages);
            }

            foreach (var spec in settings.Data.Evaluate)
            {
                var set = DatasetSpec.Open(spec, "val");
                var result = await pipeline.EvaluateAsync(model, set, cancellationToken);
                AnsiConsole.Write(new Text(result.ToTable($"{set.Name} after {stage}")));
                report.Add(set.Name, result);
            }

            report.Write(Path.Combine(output, "metrics.json"));
            CurvePlotter.Write(stages, Path.Combine(output, "plots"));
            logger.LogInformation("Training finished: {Stages}", string.Join(", ", stages.Select(s => s.Stage)));
            return 0;
        }
        finally
        {
            model.Dispose();
        }
    }
}
