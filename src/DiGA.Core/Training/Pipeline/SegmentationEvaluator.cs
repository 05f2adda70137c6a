using DiGA.Core.Data;
using DiGA.Core.Kernels.Metrics;
using DiGA.Core.Models.Inference;
using DiGA.Core.Training.Stages;

namespace DiGA.Core.Training.Pipeline;

/// <summary>The evaluation protocol: predictions fused over the configured scales (eval mode), a confusion matrix over the whole set, per-class IoU and mIoU.</summary>
/// <param name="options">The pipeline options; <see cref="DiGAPipelineOptions.Evaluation"/> and <see cref="DiGAPipelineOptions.Data"/> are read at every call.</param>
public sealed class SegmentationEvaluator(DiGAPipelineOptions options)
{
    /// <summary>Evaluates a model on a labelled set on a dedicated thread.</summary>
    /// <param name="model">The model; put in eval mode and left in eval mode.</param>
    /// <param name="data">A labelled set.</param>
    /// <param name="cancellationToken">Stops between batches.</param>
    /// <returns>Per-class IoU, mIoU and pixel accuracy over the model's classes.</returns>
    /// <exception cref="ArgumentException">The set has no labels.</exception>
    public Task<SegmentationMetrics> EvaluateAsync(ISegmentationModel model, ISegmentationDataset data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        PipelineGuard.RequireLabels(data, nameof(data));
        return TrainingThread.RunAsync(() => Evaluate(model, data, cancellationToken), cancellationToken);
    }

    /// <summary>Evaluates on the calling thread (inside a stage's loop).</summary>
    internal SegmentationMetrics Evaluate(ISegmentationModel model, ISegmentationDataset data, CancellationToken cancellationToken)
    {
        var predictor = new SegmentationPredictor(model, new SegmentationPredictorOptions { Scales = [.. options.Evaluation.Scales], HorizontalFlip = options.Evaluation.HorizontalFlip });
        using var confusion = new ConfusionMatrix(model.Info.ClassCount, model.Device);
        InferenceBatches.ForEach(data, model, options.Data, batch =>
        {
            using var predictions = predictor.PredictLabels(batch.Images);
            confusion.Update(predictions, batch.Labels!);
        }, cancellationToken);
        return confusion.ComputeMetrics(model.Info.ClassNames);
    }
}
