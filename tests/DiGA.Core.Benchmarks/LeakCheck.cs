using System.Diagnostics;
using System.Globalization;
using DiGA.Core.Foundation;
using DiGA.Core.Training;
using TorchSharp;

namespace DiGA.Core.Benchmarks;

/// <summary>
/// The <c>leak</c> mode: runs warm-up iterations of the compact model and prints TorchSharp's live tensor count on this
/// thread and the process RSS every <c>checkpoint</c> iterations; growth is measured from the first checkpoint to the last.
/// Targets: a flat live count and less than 1 % RSS growth. Like a <c>DiGAPipeline</c>, it first applies the default
/// <see cref="NativeMemoryOptions"/> to the process (no environment variable needed).
/// </summary>
internal static class LeakCheck
{
    /// <summary>
    /// Usage: <c>leak [iterations=300] [checkpoint=50] [batch=4] [height=64] [width=128] [allocator-defaults=1]</c>;
    /// <c>allocator-defaults</c> 0 leaves glibc's allocator as the environment configures it (for comparison).
    /// </summary>
    public static int Run(string[] args)
    {
        int Arg(int index, int fallback) => args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;
        var iterations = Arg(0, 300);
        var checkpoint = Arg(1, 50);
        var batch = Arg(2, 4);
        var height = Arg(3, 64);
        var width = Arg(4, 128);
        var allocatorDefaults = Arg(5, 1) != 0;

        // What a DiGAPipeline applies when it is created: the default glibc allocator settings.
        var defaults = new DiGAPipelineOptions().NativeMemory;
        var allocator = allocatorDefaults
            ? NativeAllocator.Apply(defaults.ArenaLimit, defaults.RetainFreedMemory).ToString()
            : "not changed by the benchmark";
        using var training = TrainingIteration.Compact(batch, height, width);
        var statistics = DisposeScopeManager.Statistics;
        statistics.Reset();
        var rows = new List<(int Iteration, long Live, double RssMiB)>();
        var clock = Stopwatch.StartNew();
        for (var i = 1; i <= iterations; i++)
        {
            training.WarmupStep();
            if (i % checkpoint == 0 || i == iterations)
            {
                rows.Add((i, statistics.ThreadTotalLiveCount, ProcessMemory.CurrentRssMiB));
            }
        }

        Console.WriteLine(FormattableString.Invariant($"compact model, warm-up iteration, B={batch} {height}x{width}, {BenchmarkSettings.Threads} threads, allocator: {allocator}, {iterations} iterations in {clock.Elapsed.TotalSeconds:F1} s"));
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
