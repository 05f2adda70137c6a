using System.Text.Json;
using DiGA.Core.Foundation;
using DiGA.Core.Hosting;
using DiGA.Core.Labels;
using DiGA.Core.Models.Checkpoints;
using DiGA.Core.Training;
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
        var summary = new Dictionary<string, object?>
        {
            ["checkpoint"] = Path.GetFileName(checkpoint),
            ["dataset"] = data.Name,
            ["evaluation"] = metrics.ToPercent(),
        };
        if (model.Info.ClassCount == 16)
        {
            var miou13 = Math.Round(100 * metrics.MeanOver(LabelSpace.Synthia13ClassIndices), 2);
            summary["mIoU13"] = miou13;
            AnsiConsole.MarkupLine($"  mIoU* (13 classes) {miou13:F2}");
        }

        var output = Path.GetFullPath(settings.Output);
        Directory.CreateDirectory(output);
        ReportFile.WriteAllText(Path.Combine(output, "metrics.json"), JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true }));
        return 0;
    }
}
