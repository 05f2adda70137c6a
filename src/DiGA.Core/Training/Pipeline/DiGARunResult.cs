using DiGA.Core.Kernels.Metrics;

namespace DiGA.Core.Training.Pipeline;

/// <summary>The result of <see cref="DiGAPipeline.RunAsync"/>.</summary>
/// <param name="Stages">The warm-up and each self-training round, in order.</param>
/// <param name="Evaluation">The final evaluation on the validation set, when one was given.</param>
public sealed record DiGARunResult(IReadOnlyList<StageResult> Stages, SegmentationMetrics? Evaluation);
