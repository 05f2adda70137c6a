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

    /// <summary>
    /// Gets or sets the length of the linear learning-rate warm-up (mmcv's <c>warmup = 'linear'</c>): for <c>i &lt; n</c> the
    /// scheduled rate is multiplied by <c>1 − (1 − i/n)(1 − r)</c> with r = <see cref="WarmUpRatio"/>. 0 disables it.
    /// </summary>
    /// <value>The default value is 0 (DAFormer uses 1500).</value>
    [Range(0, int.MaxValue)]
    public int WarmUpIterations { get; set; }

    /// <summary>Gets or sets the fraction of the scheduled learning rate the warm-up starts from.</summary>
    /// <value>The default value is 1e-6 (DAFormer's).</value>
    [Range(0.0, 1.0)]
    public double WarmUpRatio { get; set; } = 1e-6;
}
