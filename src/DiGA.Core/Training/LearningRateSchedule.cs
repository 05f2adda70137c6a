namespace DiGA.Core.Training;

/// <summary>The learning-rate schedules of the reference, as multiplicative factors of the base rate.</summary>
public static class LearningRateSchedule
{
    /// <summary>Gets the factor applied to the base learning rate at an iteration.</summary>
    /// <param name="schedule">The schedule.</param>
    /// <param name="iteration">The 0-based iteration, set before its forward pass.</param>
    /// <param name="maxIterations">The length of the stage.</param>
    /// <param name="power">The poly power (0.9 in the reference).</param>
    /// <returns><c>(1 − i/N)^power</c> for poly, <c>i/N</c> for the linear ramp, 1 for constant.</returns>
    public static double Factor(LearningRateScheduleKind schedule, int iteration, int maxIterations, double power)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(iteration);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxIterations, 1);
        var progress = Math.Min(1.0, (double)iteration / maxIterations);
        return schedule switch
        {
            LearningRateScheduleKind.Poly => Math.Pow(1 - progress, power),
            LearningRateScheduleKind.LinearRamp => progress,
            LearningRateScheduleKind.Constant => 1.0,
            _ => throw new ArgumentOutOfRangeException(nameof(schedule), schedule, "Unknown learning-rate schedule."),
        };
    }
}
