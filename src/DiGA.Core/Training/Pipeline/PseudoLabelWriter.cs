using DiGA.Core.Data;
using DiGA.Core.Data.Datasets;
using DiGA.Core.Foundation;
using DiGA.Core.Models.Inference;
using DiGA.Core.Training.Stages;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using static TorchSharp.torch;

namespace DiGA.Core.Training.Pipeline;

/// <summary>
/// Offline pseudo-labels: the argmax of a model's fused predictions (<see cref="DiGAPipelineOptions.PseudoLabels"/>, no
/// threshold) for every target image, written as label PNGs under <c>pseudo-labels/&lt;name&gt;</c> in the work directory.
/// </summary>
/// <remarks>A folder is complete once its <c>.complete</c> marker exists; a complete folder is reused, an incomplete one is rewritten.</remarks>
/// <param name="options">The pipeline options; read at every call.</param>
/// <param name="logger">An optional logger.</param>
public sealed class PseudoLabelWriter(DiGAPipelineOptions options, ILogger<PseudoLabelWriter>? logger = null)
{
    private const string CompleteMarker = ".complete";
    private readonly ILogger _logger = logger ?? (ILogger)NullLogger<PseudoLabelWriter>.Instance;

    /// <summary>Predicts and writes the pseudo-labels of every target image on a dedicated thread.</summary>
    /// <param name="model">The model that labels; put in eval mode and left in eval mode.</param>
    /// <param name="target">The target images (labels, if any, are not read).</param>
    /// <param name="name">The folder name under <c>pseudo-labels</c>.</param>
    /// <param name="cancellationToken">Stops between batches; the folder stays incomplete.</param>
    /// <returns>The target images paired with their pseudo-labels.</returns>
    public Task<ISegmentationDataset> WriteAsync(ISegmentationModel model, ISegmentationDataset target, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var images = target.WithoutLabels();
        var directory = Path.Combine(options.WorkDirectory, "pseudo-labels", name);
        var folder = new PseudoLabelFolder(directory, model.Info.ClassCount);
        var done = Path.Combine(directory, CompleteMarker);
        if (File.Exists(done))
        {
            _logger.LogInformation("Pseudo-labels '{Name}' already complete in {Directory}", name, directory);
            return Task.FromResult(folder.Label(images));
        }

        return TrainingThread.RunAsync(
            () =>
            {
                Directory.CreateDirectory(directory);
                AtomicFile.DeleteLeftovers(directory);
                var predictor = new SegmentationPredictor(model, new SegmentationPredictorOptions { Scales = [.. options.PseudoLabels.Scales], HorizontalFlip = options.PseudoLabels.HorizontalFlip });
                InferenceBatches.ForEach(images, model, options.Data, batch =>
                {
                    using var labels = predictor.PredictLabels(batch.Images).to(ScalarType.Byte).cpu();
                    var bytes = labels.data<byte>().ToArray();
                    var height = (int)labels.shape[1];
                    var width = (int)labels.shape[2];
                    for (var i = 0; i < batch.Count; i++)
                    {
                        folder.Write(batch.Ids[i], width, height, bytes.AsSpan(i * height * width, height * width));
                    }
                }, cancellationToken);

                // Written last, durably: its presence means every label file of the folder was completely written.
                AtomicFile.Write(done, _ => { });
                _logger.LogInformation("Pseudo-labels '{Name}': {Count} images written to {Directory}", name, images.Count, directory);
                return folder.Label(images);
            },
            cancellationToken);
    }
}
