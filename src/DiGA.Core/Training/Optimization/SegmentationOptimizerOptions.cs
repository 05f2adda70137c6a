using System.ComponentModel.DataAnnotations;
using DiGA.Core.Models.DeepLab;

namespace DiGA.Core.Training.Optimization;

/// <summary>Options of <see cref="SegmentationOptimizer"/>.</summary>
public sealed class SegmentationOptimizerOptions
{
    /// <summary>Gets or sets the optimiser.</summary>
    /// <value>The default value is <see cref="OptimizerKind.Sgd"/> (the reference).</value>
    public OptimizerKind Kind { get; set; } = OptimizerKind.Sgd;

    /// <summary>Gets or sets the initial base learning rate (each group multiplies it by its multiplier).</summary>
    /// <value>The default value is 2.5e-4.</value>
    [Range(0.0, double.MaxValue)]
    public double BaseLearningRate { get; set; } = 2.5e-4;

    /// <summary>Gets or sets the momentum.</summary>
    /// <value>The default value is 0.9.</value>
    [Range(0.0, 1.0)]
    public double Momentum { get; set; } = 0.9;

    /// <summary>Gets or sets the L2 weight decay, added to the gradient (<c>d = g + wd · p</c>).</summary>
    /// <value>The default value is 5e-4.</value>
    [Range(0.0, double.MaxValue)]
    public double WeightDecay { get; set; } = 5e-4;

    /// <summary>
    /// Gets or sets a value indicating whether the reference optimiser's duplicate-parameter behaviour is reproduced for
    /// <see cref="DeepLabV2"/>: each backbone convolution weight is updated k times per step (k = 2, 3 or 4)
    /// with one shared momentum buffer, as the reference's repeated entries in its 1× group cause.
    /// </summary>
    /// <value>The default value is <see langword="false"/> (each parameter once: the deduplicated, documented deviation).</value>
    public bool ReplicateReferenceDuplicates { get; set; }
}
