using System.Diagnostics;
using System.Globalization;
using TorchSharp;

namespace DiGA.Core.Benchmarks;

/// <summary>
/// The <c>leak</c> mode: runs warm-up iterations of the compact model and prints TorchSharp's live tensor count on this
/// thread and the process RSS at two checkpoints. Targets: a flat live count and less than 1 % RSS growth.
/// </summary>
internal static class LeakCheck
{
    /// <summary>Usage: <c>leak [iterations=300] [first-checkpoint=50] [batch=4] [height=64] [width=128]</c>.</summary>
    public static int Run(string[] args)
    {
        int Arg(int index, int fallback) => args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;
        var iterations = Arg(0, 300);
        var checkpoint = Arg(1, 50);
        var batch = Arg(2, 4);
        var height = Arg(3, 64);
        var width = Arg(4, 128);

        using var training = TrainingIteration.Compact(batch, height, width);
        var statistics = DisposeScopeManager.Statistics;
        statistics.Reset();
        var rows = new List<(int Iteration, long Live, double RssMiB)>();
        var clock = Stopwatch.StartNew();
        for (var i = 1; i <= iterations; i++)
        {
            training.WarmupStep();
            if (i == checkpoint || i == iterations)
            {
                rows.Add((i, statistics.ThreadTotalLiveCount, ProcessMemory.CurrentRssMiB));
            }
        }

        Console.WriteLine(FormattableString.Invariant($"compact model, warm-up iteration, B={batch} {height}x{width}, {BenchmarkSettings.Threads} threads, {iterations} iterations in {clock.Elapsed.TotalSeconds:F1} s"));
        Console.WriteLine("iteration  live-tensors  rss-MiB");
        foreach (var (iteration, live, rss) in rows)
        {
            Console.WriteLine(FormattableString.Invariant($"{iteration,9}  {live,12}  {rss,7:F1}"));
        }

        var first = rows[0];
        var last = rows[^1];
        var growth = (last.RssMiB - first.RssMiB) / first.RssMiB;
        var flat = last.Live == first.Live;
        Console.WriteLine(FormattableString.Invariant($"live tensors flat: {(flat ? "yes" : "no")} ({first.Live} -> {last.Live}); RSS growth {growth:P2} (target < 1 %)"));
        return flat && growth < 0.01 ? 0 : 1;
    }
}
