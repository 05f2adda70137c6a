namespace DiGA.Core.Training;

/// <summary>A progress report of a training stage: scalars only, safe to hand to another thread.</summary>
/// <param name="Stage">The stage name, for example <c>warmUp</c>.</param>
/// <param name="Iteration">The number of finished iterations.</param>
/// <param name="MaxIterations">The number of iterations of the stage.</param>
/// <param name="Losses">The mean of each loss term since the previous report, by name, the minimised total first.</param>
/// <param name="Elapsed">The wall time spent in the stage so far.</param>
/// <param name="ValidationMeanIoU">The latest validation mIoU in percent, when the stage validates; otherwise <see langword="null"/>.</param>
public readonly record struct TrainingProgress(
    string Stage,
    int Iteration,
    int MaxIterations,
    IReadOnlyList<KeyValuePair<string, double>> Losses,
    TimeSpan Elapsed,
    double? ValidationMeanIoU)
{
    /// <summary>Gets the estimated time to the end of the stage, from the mean iteration time so far.</summary>
    public TimeSpan Remaining => Iteration == 0 ? TimeSpan.Zero : Elapsed / Iteration * (MaxIterations - Iteration);
}
