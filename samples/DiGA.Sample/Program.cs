using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using DiGA.Sample.Commands;
using Spectre.Console;

namespace DiGA.Sample;

/// <summary>The sample's command line: <c>demo</c> (the default), <c>train</c>, <c>pseudo-label</c>, <c>evaluate</c>, <c>predict</c>, <c>synth</c>, <c>config</c>.</summary>
public static class Program
{
    private const string Notes = """
        Configuration: every key of appsettings.json can be set as --Section:Key value, for example
          --DiGA:Pipeline:WarmUp:Stage:Iterations 200 or --Sample:Runs:0 sourceOnly --Sample:Runs:1 warmUp.
        Datasets are kind:root with kind gta5, synthia, cityscapes, bdd100k, mapillary or folder (folder:root:class-map.json).
        Examples:
          DiGA.Sample demo --seed 1 --style Fog --out runs/fog
          DiGA.Sample predict --checkpoint runs/demo/models/selfTraining.ckpt --input photos/ --out runs/predictions
          DiGA.Sample train --stage translator --preset gta5-cityscapes --device cuda --source gta5:/data/GTA5 --target cityscapes:/data/Cityscapes --out runs/gta5
          DiGA.Sample train --preset gta5-cityscapes --device cuda --source gta5:/data/GTA5 --target cityscapes:/data/Cityscapes --validation cityscapes:/data/Cityscapes --out runs/gta5 --DiGA:Translator:LearnedWeightsDirectory runs/gta5/translator
          DiGA.Sample config --preset gta5-cityscapes > settings.json
          DiGA.Sample train --stage dg --preset gta5-cityscapes --source gta5:/data/GTA5 --target cityscapes:/data/Cityscapes --validation cityscapes:/data/Cityscapes --Sample:Data:Evaluate:0 bdd100k:/data/BDD100K
        The reference presets mix with the learned translator of stage 0 (train --stage translator); give its folder as
        --DiGA:Translator:LearnedWeightsDirectory, or pick --DiGA:Translator:Kind Reinhard or Fourier, which need no training.
        """;

    /// <summary>Runs the command line; exit codes: 0 done, 1 failed, 2 invalid command line or configuration, 130 cancelled.</summary>
    public static Task<int> Main(string[] args)
    {
        if (Console.IsOutputRedirected)
        {
            // Logs and CI capture: keep the per-class tables on one line per run.
            AnsiConsole.Profile.Width = 200;
        }

        return RunAsync(args, Console.Out, Console.Error);
    }

    /// <summary>Parses <paramref name="args"/> and runs the command, writing help to <paramref name="output"/> and parse errors to <paramref name="error"/>.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(error);
        if (!TrySplitOverrides(args, out var arguments, out var overrides, out var missing))
        {
            await error.WriteLineAsync($"The configuration override '{missing}' needs a value: {missing} <value>.");
            return 2;
        }

        var root = CreateRootCommand(new SampleHost(overrides));
        if (arguments.Count == 0 || (arguments[0].StartsWith('-') && arguments[0] is not ("--help" or "-h" or "-?" or "--version")))
        {
            arguments.Insert(0, "demo");
        }

        var parse = root.Parse(arguments);
        if (parse.Action is ParseErrorAction)
        {
            await ParseErrors.WriteAsync(parse, error);
            return 2;
        }

        return await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, ProcessTerminationTimeout = null });
    }

    /// <summary>Creates the root command with its sub-commands.</summary>
    public static RootCommand CreateRootCommand(SampleHost host)
    {
        var root = new RootCommand("DiGA.Sample: domain-adaptive semantic segmentation with DiGA.Core. Without a command it runs demo.")
        {
            DemoCommand.Create(host),
            TrainCommand.Create(host),
            PseudoLabelCommand.Create(host),
            EvaluateCommand.Create(host),
            PredictCommand.Create(host),
            SynthCommand.Create(host),
            ConfigCommand.Create(host),
        };
        root.HelpName = "DiGA.Sample";
        var help = root.Options.OfType<HelpOption>().Single();
        help.Action = new HelpWithNotes((HelpAction)help.Action!);
        return root;
    }

    // Splits out the configuration overrides, --Section:Key value or --Section:Key=value, for the configuration.
    private static bool TrySplitOverrides(IReadOnlyList<string> args, out List<string> arguments, out List<string> overrides, out string? missing)
    {
        (arguments, overrides, missing) = ([], [], null);
        for (var i = 0; i < args.Count; i++)
        {
            var token = args[i];
            if (!token.StartsWith("--", StringComparison.Ordinal) || !token.Split('=', 2)[0].Contains(':', StringComparison.Ordinal))
            {
                arguments.Add(token);
                continue;
            }

            overrides.Add(token);
            if (!token.Contains('=', StringComparison.Ordinal))
            {
                if (i + 1 == args.Count)
                {
                    missing = token;
                    return false;
                }

                overrides.Add(args[++i]);
            }
        }

        return true;
    }

    private sealed class HelpWithNotes(HelpAction help) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            var exitCode = help.Invoke(parseResult);
            parseResult.InvocationConfiguration.Output.WriteLine(Notes);
            return exitCode;
        }
    }
}
