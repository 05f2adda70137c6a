namespace DiGA.Core.Translation.Learned;

/// <summary>The losses of one <see cref="TranslatorTrainer.Step"/>, as host values (unweighted terms; <see cref="Generator"/> is the weighted total).</summary>
/// <param name="Iteration">The zero-based iteration that produced these losses.</param>
/// <param name="LearningRate">The learning rate used.</param>
/// <param name="Discriminator">The LSGAN discriminator loss of both discriminators, summed over scales.</param>
/// <param name="Generator">The total generator loss <c>L_G</c>.</param>
/// <param name="Adversarial">The LSGAN generator loss.</param>
/// <param name="Cycle">The cycle-consistency L1 loss.</param>
/// <param name="SelfReconstruction">The self-reconstruction L1 loss.</param>
/// <param name="Edge">The semantic-edge L1 loss.</param>
/// <param name="Perceptual">The perceptual loss.</param>
public readonly record struct TranslatorStepLosses(
    int Iteration,
    double LearningRate,
    float Discriminator,
    float Generator,
    float Adversarial,
    float Cycle,
    float SelfReconstruction,
    float Edge,
    float Perceptual)
{
    /// <summary>Gets the terms for display and plots, the generator's total first.</summary>
    /// <returns>Name and value of each term.</returns>
    public IReadOnlyList<KeyValuePair<string, double>> Terms() =>
    [
        new("generator", Generator), new("discriminator", Discriminator), new("adversarial", Adversarial), new("cycle", Cycle),
        new("self", SelfReconstruction), new("edge", Edge), new("perceptual", Perceptual),
    ];

    /// <summary>Gets whether every term is finite.</summary>
    public bool IsFinite => Terms().All(t => double.IsFinite(t.Value));
}
