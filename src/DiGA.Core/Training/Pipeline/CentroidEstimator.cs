using DiGA.Core.Data;
using DiGA.Core.Foundation;
using DiGA.Core.Kernels.PseudoLabels;
using DiGA.Core.Models.Weights;
using DiGA.Core.Training.Stages;
using static TorchSharp.torch;

namespace DiGA.Core.Training.Pipeline;

/// <summary>
/// The initial class centroids of self-training: the mean feature of each class under a model's own predictions on the
/// target images (eval mode, no labels), cached as <c>centroids/&lt;name&gt;.safetensors</c> in the work directory.
/// </summary>
/// <param name="options">The pipeline options; read at every call.</param>
public sealed class CentroidEstimator(DiGAPipelineOptions options)
{
    /// <summary>Computes (or reads back) the centroids on a dedicated thread.</summary>
    /// <param name="model">The model; put in eval mode and left in eval mode.</param>
    /// <param name="target">The target images.</param>
    /// <param name="name">The cache file name under <c>centroids</c>.</param>
    /// <param name="cancellationToken">Stops between batches.</param>
    /// <returns>The centroids <c>[C, D]</c> on the model's device, owned by the caller.</returns>
    public Task<ClassCentroids> EstimateAsync(ISegmentationModel model, ISegmentationDataset target, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var path = Path.Combine(options.WorkDirectory, "centroids", name + ".safetensors");
        return TrainingThread.RunAsync(
            () =>
            {
                if (File.Exists(path))
                {
                    return new ClassCentroids(ReadCache(path, model).to(model.Device), options.Centroids);
                }

                model.Module.eval();
                var centroids = ClassCentroids.Zeros(model.Info.ClassCount, model.Info.FeatureChannels, model.Device, options.Centroids);
                InferenceBatches.ForEach(target.WithoutLabels(), model, options.Data, batch =>
                {
                    using var output = model.Forward(batch.Images);
                    centroids.Accumulate(output.Features, output.Logits);
                }, cancellationToken);
                using var cached = centroids.Centroids.cpu();
                AtomicFile.Write(path, stream => SafetensorsFile.Write(stream, new Dictionary<string, Tensor> { [CacheKey] = cached }, new Dictionary<string, string>()));
                return centroids;
            },
            cancellationToken);
    }

    private const string CacheKey = "centroids";

    private static Tensor ReadCache(string path, ISegmentationModel model)
    {
        var tensors = SafetensorsFile.Read(path).Tensors;
        long[] expected = [model.Info.ClassCount, model.Info.FeatureChannels];
        if (!tensors.TryGetValue(CacheKey, out var centroids) || !centroids.shape.SequenceEqual(expected))
        {
            foreach (var tensor in tensors.Values)
            {
                tensor.Dispose();
            }

            throw new InvalidDataException($"Centroid cache '{path}' does not hold [{expected[0]}, {expected[1]}] centroids for this model; delete it to recompute them.");
        }

        return centroids;
    }
}
