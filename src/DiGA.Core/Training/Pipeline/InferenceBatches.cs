using DiGA.Core.Data;
using static TorchSharp.torch;

namespace DiGA.Core.Training.Pipeline;

/// <summary>Runs a body over every batch of a dataset in order, once, without gradients: the loop of pseudo-labelling, centroid estimation and evaluation.</summary>
internal static class InferenceBatches
{
    /// <summary>Feeds each batch (normalised for <paramref name="model"/>, on its device) to <paramref name="body"/> inside its own dispose scope.</summary>
    /// <param name="data">The dataset, in order.</param>
    /// <param name="model">The model whose device and normalisation the batches get.</param>
    /// <param name="options">The loader's batch size and parallelism.</param>
    /// <param name="body">Reads one batch.</param>
    /// <param name="cancellationToken">Stops between batches.</param>
    /// <param name="transform">A deterministic transform applied to each sample before collation (for example a pre-resize); <see langword="null"/> for none.</param>
    public static void ForEach(ISegmentationDataset data, ISegmentationModel model, TrainingDataOptions options, Action<SegmentationBatch> body, CancellationToken cancellationToken, IJointTransform? transform = null)
    {
        using var loader = new SegmentationDataLoader(data, new DataLoaderOptions
        {
            BatchSize = options.InferenceBatchSize,
            Shuffle = false,
            Epochs = 1,
            Workers = options.Workers,
            PrefetchBatches = options.PrefetchBatches,
            Device = model.Device.ToString(),
            Normalization = model.Info.Normalization,
            InvalidSamplePolicy = options.InvalidSamplePolicy,
        }, transform);
        using var noGrad = no_grad();
        while (true)
        {
            using var scope = NewDisposeScope();
            using var batch = loader.Next(cancellationToken);
            if (batch is null)
            {
                return;
            }

            body(batch);
        }
    }
}
