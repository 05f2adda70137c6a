namespace DiGA.Core.Training.Optimization;

/// <summary>The shape of the base learning rate over iterations.</summary>
public enum LearningRateSchedule
{
    /// <summary><c>lr(i) = base · (1 − i / max)^power</c>, the reference schedule of every stage.</summary>
    Poly,

    /// <summary><c>lr(i) = base · i / ramp</c>, never decaying: what the released SYNTHIA warm-up actually runs (its poly call passes its arguments in the wrong order).</summary>
    LinearRamp,
}
