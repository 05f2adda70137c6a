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
