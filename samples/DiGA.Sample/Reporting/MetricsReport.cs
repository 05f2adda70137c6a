using System.Text.Json;
using System.Text.Json.Serialization;
using DiGA.Core.Kernels.Metrics;
using DiGA.Core.Labels;
using DiGA.Core.Training;

namespace DiGA.Sample.Reporting;

/// <summary>
/// The one format of <c>metrics.json</c>, written by every command: the command, the seed, settings worth keeping with the
/// numbers, and per evaluated run its mIoU, pixel accuracy, per-class IoU (percent), time and stages.
/// </summary>
/// <param name="command">The command that produced the report (<c>demo</c>, <c>train</c>, <c>evaluate</c>).</param>
/// <param name="seed">The seed of the run.</param>
public sealed class MetricsReport(string command, int seed)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>Gets the command.</summary>
    public string Command { get; } = command;

    /// <summary>Gets the seed.</summary>
    public int Seed { get; } = seed;

    /// <summary>Gets settings worth keeping with the numbers (target style, image size, checkpoint, …).</summary>
    public Dictionary<string, string> Settings { get; } = new(StringComparer.Ordinal);

    /// <summary>Gets the evaluated runs by name, in the order they were added.</summary>
    public Dictionary<string, RunReport> Runs { get; } = new(StringComparer.Ordinal);

    /// <summary>Gets the wall time of each part of the command, in seconds.</summary>
    public Dictionary<string, double> Timings { get; } = new(StringComparer.Ordinal);

    /// <summary>Adds the evaluation of a run.</summary>
    /// <param name="name">The run (or the evaluated set).</param>
    /// <param name="metrics">Its metrics.</param>
    /// <param name="seconds">Its wall time, when it was trained here.</param>
    /// <param name="stages">The stages that trained it.</param>
    public void Add(string name, SegmentationMetrics metrics, double? seconds = null, IReadOnlyList<StageResult>? stages = null)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var summary = metrics.ToPercent();
        Runs[name] = new RunReport(
            summary.MeanIoU,
            summary.PixelAccuracy,
            summary.PerClass,
            metrics.ClassNames.Count == 16 ? Math.Round(100 * metrics.MeanOver(LabelSpace.Synthia13ClassIndices), 2) : null,
            seconds is { } s ? Math.Round(s, 1) : null,
            stages?.Select(stage => new StageReport(stage.Stage, stage.Iterations, Math.Round(stage.Elapsed.TotalSeconds, 1), stage.BestMeanIoU)).ToArray());
    }

    /// <summary>Writes the report atomically.</summary>
    /// <param name="path">The file.</param>
    public void Write(string path) => ReportFile.WriteAllText(path, JsonSerializer.Serialize(this, Json));
}

/// <summary>One evaluated run in <c>metrics.json</c>.</summary>
/// <param name="MeanIoU">The mIoU (percent).</param>
/// <param name="PixelAccuracy">The pixel accuracy (percent).</param>
/// <param name="PerClass">The IoU of each class (percent).</param>
/// <param name="MeanIoU13">The 13-class mIoU* of the SYNTHIA protocol, for 16-class models.</param>
/// <param name="Seconds">The run's wall time.</param>
/// <param name="Stages">The stages that trained it.</param>
public sealed record RunReport(
    [property: JsonPropertyName("mIoU")] double MeanIoU,
    double PixelAccuracy,
    IReadOnlyDictionary<string, double> PerClass,
    [property: JsonPropertyName("mIoU13")] double? MeanIoU13,
    double? Seconds,
    IReadOnlyList<StageReport>? Stages);

/// <summary>One stage of a run in <c>metrics.json</c>.</summary>
/// <param name="Stage">The stage name.</param>
/// <param name="Iterations">Its iterations.</param>
/// <param name="Seconds">Its wall time.</param>
/// <param name="BestMeanIoU">Its best validation mIoU (percent), when it validated.</param>
public sealed record StageReport(string Stage, int Iterations, double Seconds, double? BestMeanIoU);
