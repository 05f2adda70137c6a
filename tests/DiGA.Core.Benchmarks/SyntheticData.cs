using System.Globalization;
using DiGA.Core.Data.Synthetic;

namespace DiGA.Core.Benchmarks;

/// <summary>The <c>write-synthetic</c> mode: writes the synthetic benchmark to disk for the loader benchmarks of both sides.</summary>
internal static class SyntheticData
{
    /// <summary>Usage: <c>write-synthetic &lt;root&gt; [source-count]</c>. The source domain lands in <c>&lt;root&gt;/source</c> in the GTA5 layout.</summary>
    public static int Write(string[] args)
    {
        if (args.Length < 1)
        {
            Console.Error.WriteLine("usage: write-synthetic <root> [source-count]");
            return 2;
        }

        var count = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 400;
        var benchmark = new SyntheticBenchmark(new SyntheticBenchmarkOptions
        {
            Seed = 0,
            Height = LoaderBenchmarks.Height,
            Width = LoaderBenchmarks.Width,
            SourceCount = count,
            TargetTrainCount = 1,
            TargetValCount = 1,
        });
        benchmark.WriteToDisk(args[0]);
        Console.WriteLine($"wrote {count} source images ({LoaderBenchmarks.Height}x{LoaderBenchmarks.Width}) to {Path.Combine(args[0], "source")}");
        return 0;
    }
}
