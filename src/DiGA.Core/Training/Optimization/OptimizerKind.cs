namespace DiGA.Core.Training.Optimization;

/// <summary>The optimiser of a <see cref="SegmentationOptimizer"/>.</summary>
public enum OptimizerKind
{
    /// <summary>SGD with momentum and weight decay (the reference).</summary>
    Sgd,

    /// <summary>AdamW (momentum is unused); suits small models trained from scratch for a few hundred iterations.</summary>
    AdamW,
}
