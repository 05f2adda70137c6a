using DiGA.Core.Data;

namespace DiGA.Core.Training.Pipeline;

/// <summary>A supervised-only training run: the source-only baseline, the target oracle, or the translated-source baseline.</summary>
/// <param name="StageName">The stage name (for example <c>sourceOnly</c>); it names the checkpoint folder.</param>
/// <param name="Model">The model; trained in place, owned by the caller.</param>
/// <param name="Data">A labelled training set.</param>
public sealed record SupervisedTrainingRequest(string StageName, ISegmentationModel Model, ISegmentationDataset Data)
{
    /// <summary>Gets the target images a translator is fitted on; when set, training images are rendered in target style before the loss (the translated-source baseline).</summary>
    public ISegmentationDataset? TranslateTowards { get; init; }

    /// <summary>Gets an optional labelled validation set.</summary>
    public ISegmentationDataset? Validation { get; init; }
}
