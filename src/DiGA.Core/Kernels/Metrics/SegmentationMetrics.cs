using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;

namespace DiGA.Core.Kernels.Metrics;

/// <summary>Per-class IoU, mean IoU and pixel accuracy, computed as the reference does.</summary>
/// <remarks>
/// <c>IoU_c = TP / (TP + FP + FN)</c>; a class with no ground-truth and no predicted pixel has IoU NaN and is left out of the
/// mean (<c>nanmean</c>). Values are fractions in [0, 1]; <see cref="ToPercent"/> gives 0–100.
/// </remarks>
public sealed class SegmentationMetrics
{
    private SegmentationMetrics(IReadOnlyList<string> classNames, IReadOnlyList<double> intersectionOverUnion, double pixelAccuracy, long pixelCount)
    {
        ClassNames = classNames;
        IntersectionOverUnion = intersectionOverUnion;
        PixelAccuracy = pixelAccuracy;
        PixelCount = pixelCount;
    }

    /// <summary>Gets the class names in train-id order.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Gets the IoU of each class in [0, 1], NaN for classes absent from both ground truth and predictions.</summary>
    public IReadOnlyList<double> IntersectionOverUnion { get; }

    /// <summary>Gets the fraction of evaluated pixels whose prediction is right.</summary>
    public double PixelAccuracy { get; }

    /// <summary>Gets the number of evaluated (non-ignored) pixels.</summary>
    public long PixelCount { get; }

    /// <summary>Gets the mean IoU over every class that is not NaN.</summary>
    public double MeanIntersectionOverUnion => MeanOver(Enumerable.Range(0, ClassNames.Count));

    /// <summary>Builds the metrics from a confusion matrix.</summary>
    /// <param name="confusion">Counts <c>[C, C]</c>: rows are ground truth, columns prediction.</param>
    /// <param name="classNames">The C class names.</param>
    /// <returns>The metrics.</returns>
    public static SegmentationMetrics FromConfusion(long[,] confusion, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(confusion);
        ArgumentNullException.ThrowIfNull(classNames);
        var classes = confusion.GetLength(0);
        if (confusion.GetLength(1) != classes || classNames.Count != classes)
        {
            throw new ArgumentException($"A {confusion.GetLength(0)}×{confusion.GetLength(1)} confusion matrix needs {classes} class names, got {classNames.Count}.", nameof(classNames));
        }

        var iou = new double[classes];
        long correct = 0, total = 0;
        for (var c = 0; c < classes; c++)
        {
            long truth = 0, predicted = 0;
            for (var k = 0; k < classes; k++)
            {
                truth += confusion[c, k];
                predicted += confusion[k, c];
            }

            var union = truth + predicted - confusion[c, c];
            iou[c] = union == 0 ? double.NaN : (double)confusion[c, c] / union;
            correct += confusion[c, c];
            total += truth;
        }

        return new SegmentationMetrics(classNames.ToArray(), iou, total == 0 ? double.NaN : (double)correct / total, total);
    }

    /// <summary>Gets the mean IoU over a subset of classes (NaN entries left out), for example the 13-class SYNTHIA protocol.</summary>
    /// <param name="classIndices">The train ids to average over.</param>
    /// <returns>The mean in [0, 1], or NaN when every selected class is NaN.</returns>
    public double MeanOver(IEnumerable<int> classIndices)
    {
        ArgumentNullException.ThrowIfNull(classIndices);
        var values = classIndices.Select(i => IntersectionOverUnion[i]).Where(v => !double.IsNaN(v)).ToArray();
        return values.Length == 0 ? double.NaN : values.Average();
    }

    /// <summary>Gets the metrics as percentages (0–100) for reports and JSON.</summary>
    /// <returns>The summary.</returns>
    public MetricsSummary ToPercent() => new(
        Math.Round(100 * MeanIntersectionOverUnion, 2),
        Math.Round(100 * PixelAccuracy, 2),
        ClassNames.Select((name, i) => (name, i))
            .Where(x => !double.IsNaN(IntersectionOverUnion[x.i]))
            .ToDictionary(x => x.name, x => Math.Round(100 * IntersectionOverUnion[x.i], 2)));

    /// <summary>Formats a per-class table with IoU in percent.</summary>
    /// <param name="title">The table's title line.</param>
    /// <returns>A multi-line string.</returns>
    public string ToTable(string title)
    {
        var builder = new StringBuilder();
        builder.AppendLine(title);
        var width = Math.Max(10, ClassNames.Max(n => n.Length) + 2);
        for (var c = 0; c < ClassNames.Count; c++)
        {
            if (double.IsNaN(IntersectionOverUnion[c]))
            {
                continue;
            }

            builder.Append(CultureInfo.InvariantCulture, $"  {ClassNames[c].PadRight(width)}{100 * IntersectionOverUnion[c],7:F2}").AppendLine();
        }

        builder.Append(CultureInfo.InvariantCulture, $"  {"mIoU".PadRight(width)}{100 * MeanIntersectionOverUnion,7:F2}").AppendLine();
        builder.Append(CultureInfo.InvariantCulture, $"  {"pixel acc".PadRight(width)}{100 * PixelAccuracy,7:F2}").AppendLine();
        return builder.ToString();
    }
}

/// <summary>Metrics in percent (0–100), shaped for <c>metrics.json</c>.</summary>
/// <param name="MeanIoU">The mean IoU.</param>
/// <param name="PixelAccuracy">The pixel accuracy.</param>
/// <param name="PerClass">The IoU of each class present in ground truth or predictions, by class name.</param>
public sealed record MetricsSummary(
    [property: JsonPropertyName("mIoU")] double MeanIoU,
    [property: JsonPropertyName("pixelAccuracy")] double PixelAccuracy,
    [property: JsonPropertyName("perClass")] IReadOnlyDictionary<string, double> PerClass);
