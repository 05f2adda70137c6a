using DiGA.Core.Data.Synthetic;
using Spectre.Console;

namespace DiGA.Sample;

/// <summary>Splits the sub-command from its options and prints help.</summary>
public static class CommandLine
{
    /// <summary>Gets the sub-commands and their one-line descriptions.</summary>
    public static IReadOnlyDictionary<string, string> Commands { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["demo"] = "Run every baseline and DiGA stage on the built-in synthetic benchmark and print the target-domain mIoU table (default).",
        ["train"] = "Train a stage (translator, warmup, selftraining, dg, sourceonly, oracle, all) on real datasets or the synthetic benchmark.",
        ["pseudo-label"] = "Write offline pseudo-labels (2-scale max fusion) for the target images with a trained model.",
        ["evaluate"] = "Evaluate a model checkpoint on a labelled set: per-class IoU, mIoU (19/16/13 classes), pixel accuracy.",
        ["predict"] = "Segment your own images (any size, PNG or JPEG) into colourised label PNGs and overlays.",
        ["synth"] = "Write the synthetic benchmark to disk in the GTA5 and Cityscapes layouts.",
    };

    /// <summary>Gets the short switches of the command line, mapped to configuration keys.</summary>
    public static IDictionary<string, string> SwitchMappings { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["--out"] = "Sample:Output",
        ["--seed"] = "DiGA:Seed",
        ["--device"] = "DiGA:Device",
        ["--preset"] = "DiGA:Preset",
        ["--style"] = "Sample:Benchmark:TargetStyle",
        ["--height"] = "Sample:Benchmark:Height",
        ["--width"] = "Sample:Benchmark:Width",
        ["--stage"] = "Sample:Stage",
        ["--checkpoint"] = "Sample:Checkpoint",
        ["--input"] = "Sample:Input",
        ["--source"] = "Sample:Data:Source",
        ["--target"] = "Sample:Data:Target",
        ["--validation"] = "Sample:Data:Validation",
        ["--source-list"] = "Sample:Data:SourceList",
        ["--work"] = "DiGA:Pipeline:WorkDirectory",
    };

    /// <summary>Splits <paramref name="args"/> into the sub-command (default <c>demo</c>) and the remaining options.</summary>
    public static (string Command, string[] Options) Split(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return args.Length > 0 && !args[0].StartsWith('-') ? (args[0], args[1..]) : ("demo", args);
    }

    /// <summary>Prints the usage of one command, or of all.</summary>
    public static void PrintHelp(string? command)
    {
        AnsiConsole.MarkupLine("[bold]DiGA.Sample[/] — domain-adaptive semantic segmentation with DiGA.Core");
        AnsiConsole.MarkupLine("usage: [bold]DiGA.Sample[/] [[command]] [[--option value]]…   (no command runs [bold]demo[/])");
        AnsiConsole.WriteLine();
        var commands = new Table().AddColumn("command").AddColumn("what it does");
        foreach (var (name, description) in Commands.Where(c => command is null || c.Key == command))
        {
            commands.AddRow(name, Markup.Escape(description));
        }

        AnsiConsole.Write(commands);
        var options = new Table().AddColumn("option").AddColumn("configuration key");
        foreach (var (option, key) in SwitchMappings)
        {
            options.AddRow(option, key);
        }

        AnsiConsole.Write(options);
        AnsiConsole.MarkupLine("Any configuration key works as [bold]--Section:Key value[/], for example [bold]--DiGA:Pipeline:WarmUp:Stage:Iterations 200[/].");
        AnsiConsole.MarkupLine("Datasets are [bold]kind:root[/] with kind gta5, synthia, cityscapes, bdd100k, mapillary or folder (folder:root:class-map.json); e.g. [bold]--source gta5:/data/GTA5 --target cityscapes:/data/Cityscapes[/].");
        AnsiConsole.MarkupLine("Presets: gta5-cityscapes, synthia-cityscapes, synthetic-demo (default). Examples:");
        AnsiConsole.MarkupLine("  DiGA.Sample demo --seed 1 --style Fog --out runs/fog");
        AnsiConsole.MarkupLine("  DiGA.Sample predict --checkpoint runs/demo/models/selfTraining.ckpt --input photos/ --out runs/predictions");
        AnsiConsole.MarkupLine("  DiGA.Sample train --stage dg --preset gta5-cityscapes --source gta5:/data/GTA5 --validation cityscapes:/data/Cityscapes --Sample:Data:Evaluate:0 bdd100k:/data/BDD100K --Sample:Data:Evaluate:1 mapillary:/data/Mapillary");
        AnsiConsole.MarkupLine("  DiGA.Sample train --preset gta5-cityscapes --device cuda --source gta5:/data/GTA5 --target cityscapes:/data/Cityscapes --validation cityscapes:/data/Cityscapes");
    }
}
