using System.CommandLine;
using System.Globalization;
using DiGA.Core.Data.Synthetic;
using DiGA.Core.Hosting;
using Spectre.Console;

namespace DiGA.Sample.Commands;

/// <summary>Writes the synthetic benchmark to disk: the source in the GTA5 layout and the target in the Cityscapes layout.</summary>
public sealed class SynthCommand(DiGAOptions options, SampleSettings settings)
{
    /// <summary>Creates the <c>synth</c> command.</summary>
    public static Command Create(SampleHost host) => host.Runs<SynthCommand>(
        new Command("synth", "Write the synthetic benchmark to disk in the GTA5 and Cityscapes layouts.")
        {
            SampleOptions.Output("Output folder of the source (GTA5 layout) and target (Cityscapes layout) sets."),
            SampleOptions.Seed(),
            SampleOptions.Style(),
            SampleOptions.Height(),
            SampleOptions.Width(),
        },
        (command, cancellationToken) => command.RunAsync(cancellationToken));

    /// <summary>Generates and writes the benchmark.</summary>
    public Task<int> RunAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        settings.Benchmark.Seed = options.Seed;
        var root = Path.GetFullPath(settings.Output);
        new SyntheticBenchmark(settings.Benchmark).WriteToDisk(root);
        AnsiConsole.MarkupLine(CultureInfo.InvariantCulture, $"Wrote the synthetic benchmark (seed {options.Seed}, style {settings.Benchmark.TargetStyle}) to [bold]{Markup.Escape(root)}[/]: GTA5/ (source) and Cityscapes/ (target train and val).");
        return Task.FromResult(0);
    }
}
