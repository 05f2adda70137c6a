using System.ComponentModel.DataAnnotations;

namespace DiGA.Core.Training.Optimization;

/// <summary>Options of <see cref="PolyLearningRate"/>.</summary>
public sealed class PolyLearningRateOptions
{
    /// <summary>Gets or sets the base learning rate (the backbone's; each group multiplies it by its multiplier).</summary>
    /// <value>The default value is 2.5e-4.</value>
    [Range(0.0, double.MaxValue)]
    public double BaseLearningRate { get; set; } = 2.5e-4;

    /// <summary>Gets or sets the poly exponent.</summary>
    /// <value>The default value is 0.9.</value>
    [Range(0.0, double.MaxValue)]
    public double Power { get; set; } = 0.9;

    /// <summary>Gets or sets the number of iterations of the run (the poly horizon).</summary>
    /// <value>The default value is 80000.</value>
    [Range(1, int.MaxValue)]
    public int MaxIterations { get; set; } = 80_000;

    /// <summary>Gets or sets the schedule.</summary>
    /// <value>The default value is <see cref="LearningRateSchedule.Poly"/>.</value>
    public LearningRateSchedule Schedule { get; set; } = LearningRateSchedule.Poly;

    /// <summary>Gets or sets the ramp length of <see cref="LearningRateSchedule.LinearRamp"/>.</summary>
    /// <value>The default value is 60000 (the reference SYNTHIA warm-up).</value>
    [Range(1, int.MaxValue)]
    public int RampIterations { get; set; } = 60_000;
}
