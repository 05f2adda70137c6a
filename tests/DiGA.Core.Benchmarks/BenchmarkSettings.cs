using TorchSharp;

namespace DiGA.Core.Benchmarks;

/// <summary>Process-wide settings taken from the command line before BenchmarkDotNet starts.</summary>
internal static class BenchmarkSettings
{
    /// <summary>Gets the intra-op thread count handed to <c>torch.set_num_threads</c>.</summary>
    public static int Threads { get; private set; } = Environment.ProcessorCount;

    /// <summary>Gets a value indicating whether every benchmark runs 1 warm-up and 2 measured iterations (smoke test).</summary>
    public static bool Quick { get; private set; }

    /// <summary>Gets the synthetic source domain written in the GTA5 layout, for the loader benchmark.</summary>
    public static string? DataRoot { get; private set; }

    /// <summary>Gets the file that receives the process peak RSS when the run ends.</summary>
    public static string? RssOutput { get; private set; }

    /// <summary>Removes the options this application understands and returns the rest for BenchmarkDotNet.</summary>
    public static string[] Parse(string[] args)
    {
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--threads":
                    Threads = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
                    break;
                case "--quick":
                    Quick = true;
                    break;
                case "--data-root":
                    DataRoot = args[++i];
                    break;
                case "--rss-out":
                    RssOutput = args[++i];
                    break;
                default:
                    rest.Add(args[i]);
                    break;
            }
        }

        return [.. rest];
    }

    /// <summary>Applies the thread count to libtorch.</summary>
    public static void ApplyThreads()
    {
        torch.set_num_threads(Threads);
    }
}
