using System.Diagnostics;
using System.Globalization;
using System.Text;
using DiGA.Core.Data;
using DiGA.Core.Data.Synthetic;
using DiGA.Core.Data.Transforms;

namespace DiGA.Core.Tests.Data.Synthetic;

/// <summary>
/// Computes the statistics quoted in docs/synthetic-benchmark.md. By default it runs on a few small images; set the
/// environment variable DIGA_SYNTHETIC_REPORT to an output file to measure the full default benchmark (seed 0,
/// 128×256, 1000/1000/200 images) and write the markdown tables and timings there.
/// </summary>
public class SyntheticBenchmarkReportTests
{
    private static readonly (int Id, string Name)[] Classes = [(0, "road"), (1, "sidewalk"), (2, "building"), (5, "pole"), (8, "vegetation"), (9, "terrain"), (10, "sky"), (11, "person"), (13, "car")];

    [Fact]
    public void Report_SourceAndEveryTargetStyle_DifferInColourStatistics()
    {
        var output = Environment.GetEnvironmentVariable("DIGA_SYNTHETIC_REPORT");
        var full = !string.IsNullOrEmpty(output);
        var report = new StringBuilder();
        var rows = new List<(string Name, DatasetStatistics Stats)>();
        var timer = Stopwatch.StartNew();
        var sourceOptions = Options(TargetStyle.ColorShift, full);
        var source = new SyntheticDataset(sourceOptions, SyntheticSplit.Source);
        report.AppendLine(CultureInfo.InvariantCulture, $"source generation: {source.Count} images in {timer.Elapsed.TotalSeconds:F2} s");
        rows.Add(("source", DatasetStatistics.Compute(source)));
        foreach (var style in Enum.GetValues<TargetStyle>())
        {
            timer.Restart();
            var target = new SyntheticDataset(Options(style, full), SyntheticSplit.TargetTrain);
            report.AppendLine(CultureInfo.InvariantCulture, $"target {style} generation: {target.Count} images in {timer.Elapsed.TotalSeconds:F2} s");
            rows.Add(($"target {style}", DatasetStatistics.Compute(target)));
        }

        report.AppendLine().AppendLine("| set | mean R | mean G | mean B | std R | std G | std B |").AppendLine("|---|---|---|---|---|---|---|");
        foreach (var (name, s) in rows)
        {
            report.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {s.ChannelMean[0]:F1} | {s.ChannelMean[1]:F1} | {s.ChannelMean[2]:F1} | {s.ChannelStd[0]:F1} | {s.ChannelStd[1]:F1} | {s.ChannelStd[2]:F1} |");
        }

        report.AppendLine().AppendLine("| set | " + string.Join(" | ", Classes.Select(c => c.Name)) + " |").AppendLine("|---|" + string.Concat(Classes.Select(_ => "---|")));
        foreach (var (name, s) in rows)
        {
            report.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {string.Join(" | ", Classes.Select(c => s.ClassFrequency[c.Id].ToString("F3", CultureInfo.InvariantCulture)))} |");
        }

        if (full)
        {
            AppendTimings(report);
            File.WriteAllText(output!, report.ToString());
        }

        var sourceStats = rows[0].Stats;
        foreach (var (name, stats) in rows.Skip(1))
        {
            Enumerable.Range(0, 3).Max(c => Math.Abs(stats.ChannelMean[c] - sourceStats.ChannelMean[c])).Should().BeGreaterThan(5, name);
            // ≤ 19 frequencies count/total summed in double: ≤ 19 ulp ≈ 4e-15 off 1.
            stats.ClassFrequency.Sum().Should().BeApproximately(1.0, 1e-9);
        }
    }

    private static SyntheticBenchmarkOptions Options(TargetStyle style, bool full) => full
        ? new SyntheticBenchmarkOptions { TargetStyle = style }
        : new SyntheticBenchmarkOptions { TargetStyle = style, Height = 32, Width = 64, SourceCount = 8, TargetTrainCount = 8, TargetValCount = 1 };

    private static void AppendTimings(StringBuilder report)
    {
        report.AppendLine();
        foreach (var (h, w) in new[] { (64, 128), (128, 256) })
        {
            var timer = Stopwatch.StartNew();
            var benchmark = new SyntheticBenchmark(new SyntheticBenchmarkOptions { Height = h, Width = w });
            _ = benchmark.Source.Count + benchmark.TargetTrain.Count + benchmark.TargetVal.Count;
            report.AppendLine(CultureInfo.InvariantCulture, $"all 2200 images at {h}x{w}: {timer.Elapsed.TotalSeconds:F2} s ({Environment.ProcessorCount} threads)");
        }

        var data = new SyntheticDataset(new SyntheticBenchmarkOptions { SourceCount = 1000, TargetTrainCount = 1, TargetValCount = 1 }, SyntheticSplit.Source);
        foreach (var (label, transform) in new (string, IJointTransform?)[] { ("no augmentation", null), ("flip + RandomSizedCrop 96x192", JointTransformPipeline.FlipAndCrop(96, 192, randomScale: true)) })
        {
            using var loader = new SegmentationDataLoader(data, new DataLoaderOptions { BatchSize = 8, Workers = 2, Epochs = 2 }, transform);
            var timer = Stopwatch.StartNew();
            var images = 0;
            while (loader.Next() is { } batch)
            {
                using (batch)
                {
                    images += batch.Count;
                }
            }

            report.AppendLine(CultureInfo.InvariantCulture, $"loader 128x256, batch 8, 2 workers, {label}: {images / timer.Elapsed.TotalSeconds:F0} images/s");
        }
    }
}
