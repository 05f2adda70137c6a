using DiGA.Core.Training;
using ScottPlot;

namespace DiGA.Sample.Reporting;

/// <summary>Writes loss and mIoU curves of finished stages as PNG plots.</summary>
public static class CurvePlotter
{
    /// <summary>Writes <c>&lt;stage&gt;-loss.png</c> for each stage and one <c>miou.png</c> with every stage's validation curve.</summary>
    /// <returns>The paths written.</returns>
    public static IReadOnlyList<string> Write(IEnumerable<StageResult> stages, string directory)
    {
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        var miou = new Plot();
        var anyValidation = false;
        foreach (var stage in stages)
        {
            if (stage.Losses.Count > 0)
            {
                var plot = new Plot();
                var xs = stage.Losses.Select(r => (double)r.Iteration).ToArray();
                foreach (var term in stage.Losses[^1].Losses.Terms().Select(t => t.Key).Where(k => k != "kept"))
                {
                    var ys = stage.Losses.Select(r => r.Losses.Terms().FirstOrDefault(t => t.Key == term) is { Key: not null } found ? found.Value : double.NaN).ToArray();
                    plot.Add.Scatter(xs, ys).LegendText = term;
                }

                plot.Title($"{stage.Stage}: training losses");
                plot.XLabel("iteration");
                plot.YLabel("loss");
                plot.ShowLegend();
                var path = Path.Combine(directory, $"{stage.Stage}-loss.png");
                plot.SavePng(path, 800, 450);
                written.Add(path);
            }

            if (stage.Validations.Count > 0)
            {
                anyValidation = true;
                miou.Add.Scatter(stage.Validations.Select(v => (double)v.Iteration).ToArray(), stage.Validations.Select(v => v.MeanIoU).ToArray()).LegendText = stage.Stage;
            }
        }

        if (anyValidation)
        {
            miou.Title("Target validation mIoU");
            miou.XLabel("iteration");
            miou.YLabel("mIoU (%)");
            miou.ShowLegend();
            var path = Path.Combine(directory, "miou.png");
            miou.SavePng(path, 800, 450);
            written.Add(path);
        }

        return written;
    }

    /// <summary>Writes a bar chart of the final target mIoU of each run.</summary>
    public static void WriteSummary(IReadOnlyList<(string Run, double MeanIoU)> runs, string path)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var plot = new Plot();
        var bars = runs.Select((r, i) => new Bar { Position = runs.Count - 1 - i, Value = r.MeanIoU, Label = r.MeanIoU.ToString("F1", System.Globalization.CultureInfo.InvariantCulture) }).ToArray();
        var series = plot.Add.Bars(bars);
        series.Horizontal = true;
        plot.Axes.Left.SetTicks(Enumerable.Range(0, runs.Count).Select(i => (double)(runs.Count - 1 - i)).ToArray(), runs.Select(r => r.Run).ToArray());
        plot.Axes.Margins(left: 0);
        plot.Title("Target-domain mIoU (%) per run");
        plot.XLabel("mIoU (%)");
        plot.SavePng(path, 900, 450);
    }
}
