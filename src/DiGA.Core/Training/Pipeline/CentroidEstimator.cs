using System.Globalization;
using DiGA.Core.Data;
using DiGA.Core.Data.Transforms;
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
/// <remarks>
/// The images are resized first when <see cref="InitialCentroidOptions.ResizeHeight"/> and
/// <see cref="InitialCentroidOptions.ResizeWidth"/> say so, and the running mean runs over
/// <see cref="InitialCentroidOptions.Passes"/> passes with its counts carried from one pass to the next. The passes are
/// identical (eval mode, no augmentation), so the model runs once: each image's class means (<c>[C, D]</c>) stay on the
/// device and are folded in again by the later passes.
/// </remarks>
/// <param name="options">The pipeline options; read at every call.</param>
public sealed class CentroidEstimator(DiGAPipelineOptions options)
{
    private const string CacheKey = "centroids";
    private const string ResizeKey = "diga.centroids.resize";
    private const string PassesKey = "diga.centroids.passes";

    /// <summary>Computes (or reads back) the centroids on a dedicated thread.</summary>
    /// <param name="model">The model; put in eval mode and left in eval mode.</param>
    /// <param name="target">The target images.</param>
    /// <param name="name">The cache file name under <c>centroids</c>.</param>
    /// <param name="cancellationToken">Stops between batches.</param>
    /// <returns>The centroids <c>[C, D]</c> on the model's device, owned by the caller.</returns>
    /// <exception cref="ArgumentException"><see cref="DiGAPipelineOptions.InitialCentroids"/> is invalid.</exception>
    /// <exception cref="InvalidDataException">The cache holds centroids of another shape or computed with other <see cref="DiGAPipelineOptions.InitialCentroids"/>.</exception>
    public Task<ClassCentroids> EstimateAsync(ISegmentationModel model, ISegmentationDataset target, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var settings = options.InitialCentroids;
        Guard.Options(settings, "DiGAPipelineOptions.InitialCentroids");
        var path = Path.Combine(options.WorkDirectory, "centroids", name + ".safetensors");
        var metadata = new Dictionary<string, string>
        {
            [ResizeKey] = settings.ResizeHeight is { } h && settings.ResizeWidth is { } w ? string.Create(CultureInfo.InvariantCulture, $"{h}x{w}") : "none",
            [PassesKey] = settings.Passes.ToString(CultureInfo.InvariantCulture),
        };
        return TrainingThread.RunAsync(
            () =>
            {
                if (File.Exists(path))
                {
                    return new ClassCentroids(ReadCache(path, model, metadata).to(model.Device), options.Centroids);
                }

                var centroids = Estimate(model, target, settings, cancellationToken);
                using var cached = centroids.Centroids.cpu();
                AtomicFile.Write(path, stream => SafetensorsFile.Write(stream, new Dictionary<string, Tensor> { [CacheKey] = cached }, metadata));
                return centroids;
            },
            cancellationToken);
    }

    private ClassCentroids Estimate(ISegmentationModel model, ISegmentationDataset target, InitialCentroidOptions settings, CancellationToken cancellationToken)
    {
        model.Module.eval();
        var resize = settings.ResizeHeight is { } height && settings.ResizeWidth is { } width ? new Resize(height, width) : null;
        var centroids = ClassCentroids.Zeros(model.Info.ClassCount, model.Info.FeatureChannels, model.Device, options.Centroids);
        var replay = new List<(Tensor Means, Tensor Counted)>();
        try
        {
            InferenceBatches.ForEach(target.WithoutLabels(), model, options.Data, batch =>
            {
                using var output = model.Forward(batch.Images);
                var (means, counted) = centroids.PredictedClassMeans(output.Features, output.Logits);
                centroids.AccumulateMeans(means, counted);
                if (settings.Passes > 1)
                {
                    replay.Add((means.DetachFromDisposeScope(), counted.DetachFromDisposeScope()));
                }
            }, cancellationToken, resize);

            for (var pass = 1; pass < settings.Passes; pass++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                foreach (var (means, counted) in replay)
                {
                    centroids.AccumulateMeans(means, counted);
                }
            }

            return centroids;
        }
        catch
        {
            centroids.Dispose();
            throw;
        }
        finally
        {
            foreach (var (means, counted) in replay)
            {
                means.Dispose();
                counted.Dispose();
            }
        }
    }

    private static Tensor ReadCache(string path, ISegmentationModel model, Dictionary<string, string> expectedMetadata)
    {
        var (tensors, metadata) = SafetensorsFile.Read(path);
        long[] expected = [model.Info.ClassCount, model.Info.FeatureChannels];
        string? problem = null;
        if (!tensors.TryGetValue(CacheKey, out var centroids) || !centroids.shape.SequenceEqual(expected))
        {
            problem = $"does not hold [{expected[0]}, {expected[1]}] centroids for this model";
        }
        else
        {
            // Caches written before these settings existed were computed at the loaded size in one pass.
            var resize = metadata.GetValueOrDefault(ResizeKey, "none");
            var passes = metadata.GetValueOrDefault(PassesKey, "1");
            if (resize != expectedMetadata[ResizeKey] || passes != expectedMetadata[PassesKey])
            {
                problem = $"was computed with resize {resize} and {passes} pass(es), but DiGAPipelineOptions.InitialCentroids asks for resize {expectedMetadata[ResizeKey]} and {expectedMetadata[PassesKey]} pass(es)";
            }
        }

        if (problem is not null)
        {
            foreach (var tensor in tensors.Values)
            {
                tensor.Dispose();
            }

            throw new InvalidDataException($"Centroid cache '{path}' {problem}; delete it to recompute them.");
        }

        return centroids!;
    }
}
