namespace DiGA.Core.Training;

/// <summary>What a finished stage reports: its length, timing and curves.</summary>
/// <param name="Stage">The stage name.</param>
/// <param name="Iterations">The number of iterations run (in total, across resumes).</param>
/// <param name="Elapsed">The wall time of the stage, across resumes.</param>
/// <param name="Losses">The mean losses at each report.</param>
/// <param name="Validations">The validation mIoU (percent) at each validation.</param>
/// <param name="BestMeanIoU">The best validation mIoU in percent, or <see langword="null"/> without validation.</param>
public sealed record StageResult(
    string Stage,
    int Iterations,
    TimeSpan Elapsed,
    IReadOnlyList<LossRecord> Losses,
    IReadOnlyList<ValidationRecord> Validations,
    double? BestMeanIoU);

/// <summary>The mean losses over the iterations before <paramref name="Iteration"/> since the previous record.</summary>
/// <param name="Iteration">The number of finished iterations.</param>
/// <param name="Losses">The mean of each term.</param>
public sealed record LossRecord(int Iteration, StageLosses Losses);

/// <summary>A validation result.</summary>
/// <param name="Iteration">The number of finished iterations.</param>
/// <param name="MeanIoU">The mIoU in percent.</param>
public sealed record ValidationRecord(int Iteration, double MeanIoU);
