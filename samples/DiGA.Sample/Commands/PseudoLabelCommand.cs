using System.CommandLine;
using DiGA.Core.Foundation;
using DiGA.Core.Hosting;
using DiGA.Core.Models.Checkpoints;
using DiGA.Core.Training.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace DiGA.Sample.Commands;

/// <summary>Writes offline pseudo-labels for the target images with a trained model (2-scale max fusion, no threshold).</summary>
public sealed class PseudoLabelCommand(DiGAOptions options, SampleSettings settings, IServiceProvider services)
{
    /// <summary>Creates the <c>pseudo-label</c> command.</summary>
    public static Command Create(SampleHost host) => host.Runs<PseudoLabelCommand>(
        new Command("pseudo-label", "Write offline pseudo-labels (2-scale max fusion) for the target images with a trained model.")
        {
            SampleOptions.Checkpoint("Model that labels the images (required)."),
            SampleOptions.Target(),
            SampleOptions.Output("Output folder; the labels go to <out>/pseudo-labels/<checkpoint name>."),
            SampleOptions.Seed(),
            SampleOptions.Device(),
            SampleOptions.Preset(),
            SampleOptions.Style(),
            SampleOptions.Height(),
            SampleOptions.Width(),
        },
        (command, cancellationToken) => command.RunAsync(cancellationToken));

    /// <summary>Generates the pseudo-labels into <c>&lt;out&gt;/pseudo-labels/&lt;checkpoint name&gt;</c>.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var checkpoint = settings.Checkpoint ?? throw new ArgumentException("pseudo-label needs --checkpoint <model.ckpt>.");
        var target = SampleData.OpenTarget(settings, options.Seed);
        options.Pipeline.WorkDirectory = Path.GetFullPath(settings.Output);
        using var model = ModelCheckpoint.Load(checkpoint, TorchDevices.Resolve(options.Device).ToString());
        var name = Path.GetFileNameWithoutExtension(checkpoint);
        var labelled = await services.GetRequiredService<DiGAPipeline>().PseudoLabels.WriteAsync(model, target, name, cancellationToken);
        AnsiConsole.MarkupLine($"Wrote {labelled.Count} pseudo-labels to [bold]{Markup.Escape(Path.Combine(options.Pipeline.WorkDirectory, "pseudo-labels", name))}[/].");
        return 0;
    }
}
