namespace DiGA.Core.Training.Optimization;

/// <summary>
/// The reference learning-rate schedule: at the start of iteration <c>i</c> (0-based, before the forward pass) every
/// parameter group gets <c>base · (1 − i / max)^0.9 × multiplier</c> (backbone 1×, head 10×), or the linear ramp of
/// <see cref="LearningRateSchedule.LinearRamp"/>; an optional linear warm-up scales the first
/// <see cref="PolyLearningRateOptions.WarmUpIterations"/> iterations by <c>1 − (1 − i/n)(1 − r)</c> (mmcv's linear warm-up).
/// </summary>
/// <remarks>Stateless apart from its options; safe to share.</remarks>
public sealed class PolyLearningRate
{
    private readonly PolyLearningRateOptions _options;

    /// <summary>Initialises a new schedule.</summary>
    /// <param name="options">The options; <see langword="null"/> uses the defaults (2.5e-4, power 0.9, 80000 iterations).</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public PolyLearningRate(PolyLearningRateOptions? options = null)
    {
        var source = options ?? new PolyLearningRateOptions();
        if (source.MaxIterations < 1 || source.RampIterations < 1 || source.BaseLearningRate < 0 || source.Power < 0
            || source.WarmUpIterations < 0 || source.WarmUpRatio is < 0 or > 1)
        {
            throw new ArgumentException("PolyLearningRateOptions: MaxIterations and RampIterations must be positive; BaseLearningRate, Power and WarmUpIterations must not be negative; WarmUpRatio must be in [0, 1].", nameof(options));
        }

        _options = new PolyLearningRateOptions
        {
            BaseLearningRate = source.BaseLearningRate,
            Power = source.Power,
            MaxIterations = source.MaxIterations,
            Schedule = source.Schedule,
            RampIterations = source.RampIterations,
            WarmUpIterations = source.WarmUpIterations,
            WarmUpRatio = source.WarmUpRatio,
        };
    }

    /// <summary>Gets the base (1×) learning rate of an iteration.</summary>
    /// <param name="iteration">The 0-based iteration, in <c>[0, MaxIterations]</c>.</param>
    /// <returns>The learning rate before group multipliers.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="iteration"/> is negative or beyond <c>MaxIterations</c>.</exception>
    public double GetBaseLearningRate(long iteration)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(iteration);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(iteration, (long)_options.MaxIterations);
        var scheduled = _options.Schedule switch
        {
            LearningRateSchedule.LinearRamp => _options.BaseLearningRate * iteration / _options.RampIterations,
            _ => _options.BaseLearningRate * Math.Pow(1.0 - ((double)iteration / _options.MaxIterations), _options.Power),
        };
        if (iteration < _options.WarmUpIterations)
        {
            var remaining = (1.0 - ((double)iteration / _options.WarmUpIterations)) * (1.0 - _options.WarmUpRatio);
            scheduled *= 1.0 - remaining;
        }

        return scheduled;
    }

    /// <summary>Sets every group of <paramref name="optimizer"/> to the learning rate of <paramref name="iteration"/> times its multiplier.</summary>
    /// <param name="optimizer">The optimiser.</param>
    /// <param name="iteration">The 0-based iteration.</param>
    /// <returns>The base learning rate that was applied.</returns>
    public double Apply(SegmentationOptimizer optimizer, long iteration)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        var learningRate = GetBaseLearningRate(iteration);
        optimizer.SetBaseLearningRate(learningRate);
        return learningRate;
    }
}
