using DiGA.Core.Data;

namespace DiGA.Core.Training.Pipeline;

/// <summary>A warm-up run: the supervised loss plus symmetric distillation over the source view and a second view.</summary>
/// <param name="Student">The model; trained in place, owned by the caller.</param>
/// <param name="Source">The labelled source set.</param>
public sealed record WarmUpRequest(ISegmentationModel Student, ISegmentationDataset Source)
{
    /// <summary>Gets the target images: the translator of the cross-domain mixture is fitted on them, and the student sees them for its BatchNorm statistics (<see cref="WarmUpOptions.TargetBatchNormForward"/>).</summary>
    public ISegmentationDataset? Target { get; init; }

    /// <summary>Gets an optional labelled validation set.</summary>
    public ISegmentationDataset? Validation { get; init; }

    /// <summary>Gets the options of this run; <see langword="null"/> uses <see cref="DiGAPipelineOptions.WarmUp"/>.</summary>
    public WarmUpOptions? Options { get; init; }
}
