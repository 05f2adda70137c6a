using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using DiGA.Core.Foundation;
using DiGA.Core.Hosting;
using DiGA.Core.Models.Checkpoints;
using DiGA.Core.Training.Pipeline;
using DiGA.Sample.Reporting;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace DiGA.Sample.Commands;

/// <summary>Evaluates a model checkpoint with the reference protocol and writes <c>metrics.json</c>.</summary>
public sealed class EvaluateCommand(DiGAOptions options, SampleSettings settings, IServiceProvider services)
{
    /// <summary>Creates the <c>evaluate</c> command.</summary>
    public static Command Create(SampleHost host) => host.Runs<EvaluateCommand>(
        new Command("evaluate", "Evaluate a model checkpoint on a labelled set: per-class IoU, mIoU (19/16/13 classes), pixel accuracy; writes metrics.json.")
        {
            SampleOptions.Checkpoint("Model to evaluate (required)."),
            SampleOptions.Validation(),
            SampleOptions.Output("Output folder of metrics.json."),
            SampleOptions.Seed(),
            SampleOptions.Device(),
            SampleOptions.Preset(),
            SampleOptions.Style(),
            SampleOptions.Height(),
            SampleOptions.Width(),
        },
        (command, cancellationToken) => command.RunAsync(cancellationToken));

    /// <summary>Runs the evaluation.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var checkpoint = settings.Checkpoint ?? throw new ArgumentException("evaluate needs --checkpoint <model.ckpt>.");
        var data = SampleData.OpenValidation(settings, options.Seed);
        using var model = ModelCheckpoint.Load(checkpoint, TorchDevices.Resolve(options.Device).ToString());
        var metrics = await services.GetRequiredService<DiGAPipeline>().EvaluateAsync(model, data, cancellationToken);
        AnsiConsole.Write(new Text(metrics.ToTable($"{data.Name}: {Path.GetFileName(checkpoint)}")));
        var report = new MetricsReport("evaluate", options.Seed);
        report.Settings["checkpoint"] = Path.GetFileName(checkpoint);
        report.Add(data.Name, metrics);
        if (report.Runs[data.Name].MeanIoU13 is { } miou13)
        {
            AnsiConsole.MarkupLine(CultureInfo.InvariantCulture, $"  mIoU* (13 classes) {miou13:F2}");
        }

        var output = Path.GetFullPath(settings.Output);
        Directory.CreateDirectory(output);
        report.Write(Path.Combine(output, "metrics.json"));
        return 0;
    }
}
