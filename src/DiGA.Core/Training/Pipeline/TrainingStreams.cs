using DiGA.Core.Data;
using DiGA.Core.Data.Transforms;
using DiGA.Core.Foundation;
using DiGA.Core.Training.Stages;
using static TorchSharp.torch;

namespace DiGA.Core.Training.Pipeline;

/// <summary>The stage whose share of each stream a batch stream takes (<see cref="TrainingStreamOptions"/>).</summary>
internal enum TrainingStreamStage
{
    /// <summary>The translator's training: <see cref="TrainingStreamOptions.ImagesPerBatch"/>, with the batch size of the supervised stage options.</summary>
    Translator,

    /// <summary>The warm-up: <see cref="TrainingStreamOptions.WarmUpImagesPerBatch"/>.</summary>
    WarmUp,

    /// <summary>The self-training rounds: <see cref="TrainingStreamOptions.SelfTrainingImagesPerBatch"/>.</summary>
    SelfTraining,
}

/// <summary>
/// Builds the seeded, resumable batch streams of the stages from <see cref="TrainingDataOptions"/>: per domain one or more
/// streams (pre-resize, share of the batch), each with flips, (random-sized) crops and source rejection sampling.
/// </summary>
/// <param name="options">How batches are drawn; read at every call.</param>
/// <param name="seed">The run's seed; each stream mixes in its own salt.</param>
internal sealed class TrainingStreams(TrainingDataOptions options, int seed)
{
    /// <summary>The configuration path of <see cref="TrainingDataOptions"/>, used in error messages.</summary>
    internal const string DataPath = DiGAPipelineOptions.SectionName + ":Data";

    /// <summary>Creates the stream of one dataset in one stage.</summary>
    /// <param name="data">The dataset.</param>
    /// <param name="stage">Whose shares of <see cref="TrainingDataOptions.SourceStreams"/> or <see cref="TrainingDataOptions.TargetStreams"/> apply; <see langword="null"/> for one stream of images at their loaded size whatever the options say (the supervised baselines, whose data may be either domain).</param>
    /// <param name="batchSize">The batch size.</param>
    /// <param name="salt">Distinguishes this stream's order from the others of the run.</param>
    /// <param name="isSource">Whether the source streams and source rejection sampling apply (otherwise the target streams).</param>
    /// <param name="randomScale">Whether crops are randomly rescaled first (RandomSized_and_Crop).</param>
    /// <param name="device">The device of the batches.</param>
    /// <param name="normalization">The model's input normalisation.</param>
    /// <returns>A stream owned by the caller; seek it before reading.</returns>
    /// <exception cref="InvalidOperationException">The streams' shares do not add up to <paramref name="batchSize"/>, or another stream rule is broken; the message names the option.</exception>
    public BatchStream Create(ISegmentationDataset data, TrainingStreamStage? stage, int batchSize, int salt, bool isSource, bool randomScale, Device device, ImageNormalization normalization)
    {
        var streamSeed = unchecked((seed * 1_000_003) + salt);
        var streams = isSource ? options.SourceStreams : options.TargetStreams;
        if (stage is not { } streamStage || streams is null || streams.Count == 0)
        {
            // The single-stream path draws exactly what it drew before streams existed.
            return new BatchStream([Part(data, batchSize, streamSeed, preResize: null, isSource, randomScale, device, normalization)]);
        }

        var error = Errors(options, isSource, [(streamStage, batchSize, BatchSizePath(streamStage))]).FirstOrDefault();
        if (error is not null)
        {
            throw new InvalidOperationException(error);
        }

        var parts = new List<BatchStream.Part>(streams.Count);
        for (var k = 0; k < streams.Count; k++)
        {
            var share = Share(streams[k], streamStage);
            if (share > 0)
            {
                var preResize = streams[k] is { PreResizeHeight: { } h, PreResizeWidth: { } w } ? (h, w) : ((int, int)?)null;
                parts.Add(Part(data, share, SubStreamSeed(streamSeed, k), preResize, isSource, randomScale, device, normalization));
            }
        }

        return new BatchStream(parts);
    }

    /// <summary>Checks the stream rules of every stage against the pipeline's batch sizes.</summary>
    /// <param name="pipeline">The pipeline options.</param>
    /// <returns>One message per broken rule, each naming the option; empty when the options are valid.</returns>
    internal static IEnumerable<string> Validate(DiGAPipelineOptions pipeline)
    {
        (TrainingStreamStage, int, string)[] stages =
        [
            (TrainingStreamStage.Translator, pipeline.Supervised.BatchSize, BatchSizePath(TrainingStreamStage.Translator)),
            (TrainingStreamStage.WarmUp, pipeline.WarmUp.Stage.BatchSize, BatchSizePath(TrainingStreamStage.WarmUp)),
            (TrainingStreamStage.SelfTraining, pipeline.SelfTraining.Stage.BatchSize, BatchSizePath(TrainingStreamStage.SelfTraining)),
        ];
        return Errors(pipeline.Data, isSource: true, stages).Concat(Errors(pipeline.Data, isSource: false, stages));
    }

    /// <summary>The images of <paramref name="stream"/> in each batch of <paramref name="stage"/>.</summary>
    internal static int Share(TrainingStreamOptions stream, TrainingStreamStage stage) => stage switch
    {
        TrainingStreamStage.WarmUp => stream.WarmUpImagesPerBatch ?? stream.ImagesPerBatch,
        TrainingStreamStage.SelfTraining => stream.SelfTrainingImagesPerBatch ?? stream.ImagesPerBatch,
        _ => stream.ImagesPerBatch,
    };

    private static IEnumerable<string> Errors(TrainingDataOptions data, bool isSource, IEnumerable<(TrainingStreamStage Stage, int BatchSize, string BatchSizePath)> stages)
    {
        var name = isSource ? nameof(TrainingDataOptions.SourceStreams) : nameof(TrainingDataOptions.TargetStreams);
        var path = $"{DataPath}:{name}";
        var streams = isSource ? data.SourceStreams : data.TargetStreams;
        if (streams is null)
        {
            yield return $"{path} must be a list (empty for one stream of images at their loaded size).";
            yield break;
        }

        if (streams.Count == 0)
        {
            yield break;
        }

        for (var k = 0; k < streams.Count; k++)
        {
            if (streams[k] is null)
            {
                yield return $"{path}:{k} is null.";
                yield break;
            }

            if (streams[k].PreResizeHeight.HasValue != streams[k].PreResizeWidth.HasValue)
            {
                yield return $"{path}:{k}: set both {nameof(TrainingStreamOptions.PreResizeHeight)} and {nameof(TrainingStreamOptions.PreResizeWidth)}, or neither.";
            }
        }

        if ((data.CropHeight is null || data.CropWidth is null) && streams.Select(s => (s.PreResizeHeight, s.PreResizeWidth)).Distinct().Count() > 1)
        {
            yield return $"{path}: streams of different pre-resize sizes can only share a batch after a crop; set {DataPath}:{nameof(TrainingDataOptions.CropHeight)} and {nameof(TrainingDataOptions.CropWidth)}.";
        }

        foreach (var (stage, batchSize, batchSizePath) in stages)
        {
            var shares = streams.Select(s => Share(s, stage)).ToArray();
            if (shares.Sum() != batchSize)
            {
                var property = stage switch
                {
                    TrainingStreamStage.WarmUp => nameof(TrainingStreamOptions.WarmUpImagesPerBatch),
                    TrainingStreamStage.SelfTraining => nameof(TrainingStreamOptions.SelfTrainingImagesPerBatch),
                    _ => nameof(TrainingStreamOptions.ImagesPerBatch),
                };
                var source = stage == TrainingStreamStage.Translator ? property : $"{property}, else {nameof(TrainingStreamOptions.ImagesPerBatch)}";
                yield return $"{path}: the shares of the {StageLabel(stage)} ({source}) add up to {string.Join(" + ", shares)}{(shares.Length > 1 ? $" = {shares.Sum()}" : string.Empty)} images, but {batchSizePath} is {batchSize}; they must be equal.";
            }
        }
    }

    private static string StageLabel(TrainingStreamStage stage) => stage switch
    {
        TrainingStreamStage.WarmUp => "warm-up",
        TrainingStreamStage.SelfTraining => "self-training",
        _ => "translator's training",
    };

    private static string BatchSizePath(TrainingStreamStage stage) => stage switch
    {
        TrainingStreamStage.WarmUp => $"{DiGAPipelineOptions.SectionName}:WarmUp:Stage:{nameof(StageOptions.BatchSize)}",
        TrainingStreamStage.SelfTraining => $"{DiGAPipelineOptions.SectionName}:SelfTraining:Stage:{nameof(StageOptions.BatchSize)}",
        _ => $"{DiGAPipelineOptions.SectionName}:Supervised:{nameof(StageOptions.BatchSize)}",
    };

    private static int SubStreamSeed(int streamSeed, int index) => unchecked((int)Pcg32.Hash((ulong)(uint)streamSeed, (ulong)index, 0x57AEA4));

    private BatchStream.Part Part(ISegmentationDataset data, int batchSize, int partSeed, (int Height, int Width)? preResize, bool isSource, bool randomScale, Device device, ImageNormalization normalization)
    {
        var transforms = new List<IJointTransform>();
        if (preResize is { } size)
        {
            transforms.Add(new Resize(size.Height, size.Width));
        }

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
            Seed = partSeed,
            DropLast = true,
            Workers = options.Workers,
            PrefetchBatches = options.PrefetchBatches,
            Device = device.ToString(),
            Normalization = normalization,
            InvalidSamplePolicy = options.InvalidSamplePolicy,
        };
        return new BatchStream.Part(data, loader, transforms.Count == 0 ? null : new JointTransformPipeline(transforms));
    }
}
