using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using DiGA.Core.Data.Synthetic;
using DiGA.Core.Hosting;

namespace DiGA.Sample.Commands;

/// <summary>
/// The options of the sample's commands. Each sets one configuration key, over <c>appsettings.json</c> and the
/// <c>--Section:Key value</c> overrides; an option left out keeps the configured value.
/// </summary>
public static class SampleOptions
{
    private static readonly Dictionary<string, string> Keys = new(StringComparer.Ordinal)
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

    public static Option<string> Output(string description) => new("--out") { Description = description + " Default: runs/demo.", HelpName = "folder" };

    public static Option<int> Seed() => new("--seed") { Description = "Seed of every random choice and of the synthetic benchmark. Default: 0.", HelpName = "n" };

    public static Option<string> Device() => new("--device") { Description = "auto, cpu, cuda or cuda:N. Default: cpu.", HelpName = "device" };

    public static Option<string> Preset()
    {
        var option = new Option<string>("--preset") { Description = "Settings to start from. Default: synthetic-demo.", HelpName = "preset" };
        option.AcceptOnlyFromAmong(StringComparer.OrdinalIgnoreCase, [.. DiGAPresets.Names]);
        return option;
    }

    public static Option<TargetStyle> Style() => new("--style") { Description = "Target style of the synthetic benchmark: Photoreal, ColorShift, Fog or Night. Default: Photoreal." };

    public static Option<int> Height() => new("--height") { Description = "Image height of the synthetic benchmark. Default: 64.", HelpName = "pixels" };

    public static Option<int> Width() => new("--width") { Description = "Image width of the synthetic benchmark. Default: 128.", HelpName = "pixels" };

    public static Option<FileInfo> Checkpoint(string description) => new Option<FileInfo>("--checkpoint") { Description = description, HelpName = "model.ckpt" }.AcceptExistingOnly();

    public static Option<string> Source() => new("--source") { Description = "Labelled source set, for example gta5:/data/GTA5. Synthetic benchmark when no set is given.", HelpName = "kind:root" };

    public static Option<string> Target() => new("--target") { Description = "Target training images, for example cityscapes:/data/Cityscapes. Synthetic benchmark when no set is given.", HelpName = "kind:root" };

    public static Option<string> Validation() => new("--validation") { Description = "Labelled validation set, for example cityscapes:/data/Cityscapes. Synthetic benchmark when no set is given.", HelpName = "kind:root" };

    /// <summary>Gets the configuration keys set by the options given on the command line.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> Configuration(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        foreach (var result in parse.CommandResult.Children.OfType<OptionResult>())
        {
            if (!result.Implicit && Keys.TryGetValue(result.Option.Name, out var key))
            {
                yield return new(key, Convert.ToString(result.GetValueOrDefault<object>(), CultureInfo.InvariantCulture));
            }
        }
    }
}
