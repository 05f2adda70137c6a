namespace DiGA.Core.Training.Pipeline;

/// <summary>The self-training rounds of a run: offline pseudo-labels and centroids from the current model, then dynamic selection.</summary>
/// <param name="Student">The warmed-up model; trained in place, owned by the caller.</param>
/// <param name="Data">The source, target and validation sets.</param>
public sealed record SelfTrainingRequest(ISegmentationModel Student, DiGADatasets Data)
{
    /// <summary>Gets the base stage name (<c>selfTraining</c> gives <c>selfTraining1</c>, <c>selfTraining2</c>, …; a single round keeps the base name).</summary>
    public string StageName { get; init; } = "selfTraining";

    /// <summary>Gets the selector of this run; <see langword="null"/> uses the pipeline's.</summary>
    public IPseudoLabelSelector? Selector { get; init; }
}
