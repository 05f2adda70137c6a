using DiGA.Core.Data;
using DiGA.Core.Data.Transforms;
using DiGA.Core.Training.Stages;
using static TorchSharp.torch;

namespace DiGA.Core.Training.Pipeline;

/// <summary>Builds the seeded, resumable batch streams of the stages from <see cref="TrainingDataOptions"/>: flips, (random-sized) crops and source rejection sampling.</summary>
/// <param name="options">How batches are drawn; read at every call.</param>
/// <param name="seed">The run's seed; each stream mixes in its own salt.</param>
internal sealed class TrainingStreams(TrainingDataOptions options, int seed)
{
    /// <summary>Creates the stream of one dataset in one stage.</summary>
    /// <param name="data">The dataset.</param>
    /// <param name="batchSize">The batch size.</param>
    /// <param name="salt">Distinguishes this stream's order from the others of the run.</param>
    /// <param name="isSource">Whether source rejection sampling applies.</param>
    /// <param name="randomScale">Whether crops are randomly rescaled first (RandomSized_and_Crop).</param>
    /// <param name="device">The device of the batches.</param>
    /// <param name="normalization">The model's input normalisation.</param>
    /// <returns>A stream owned by the caller; seek it before reading.</returns>
    public BatchStream Create(ISegmentationDataset data, int batchSize, int salt, bool isSource, bool randomScale, Device device, ImageNormalization normalization)
    {
        var transforms = new List<IJointTransform>();
        if (options.HorizontalFlip)
        {
            transforms.Add(new RandomHorizontalFlip());
        }

        if (options.CropHeight is { } height && options.CropWidth is { } width)
        {
            var crop = randomScale ? (IJointTransform)new RandomSizedCrop(height, width) : new RandomCrop(height, width);
            transforms.Add(isSource && options.SourceRejectionSampling ? new SourceRejectionSampling(crop) : crop);
        }

        var loader = new DataLoaderOptions
        {
            BatchSize = batchSize,
            Shuffle = true,
            Seed = unchecked((seed * 1_000_003) + salt),
            DropLast = true,
            Workers = options.Workers,
            PrefetchBatches = options.PrefetchBatches,
            Device = device.ToString(),
            Normalization = normalization,
            InvalidSamplePolicy = options.InvalidSamplePolicy,
        };
        return new BatchStream(data, loader, transforms.Count == 0 ? null : new JointTransformPipeline(transforms));
    }
}
