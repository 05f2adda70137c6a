using TorchSharp.Modules;

namespace DiGA.Core;

/// <summary>A named group of trainable parameters that share a learning-rate multiplier.</summary>
/// <param name="Name">The group name, for example <c>backbone</c> or <c>head</c>.</param>
/// <param name="Parameters">The trainable parameters of the group.</param>
/// <param name="LearningRateMultiplier">The factor applied to the base learning rate (1 for the backbone, 10 for the head in the reference).</param>
public sealed record ModelParameterGroup(string Name, IReadOnlyList<Parameter> Parameters, double LearningRateMultiplier)
{
    /// <summary>Gets the factor applied to the optimiser's weight decay for this group (0 for the normalisation parameters of transformer encoders).</summary>
    /// <value>The default value is 1.</value>
    public double WeightDecayMultiplier { get; init; } = 1.0;
}
