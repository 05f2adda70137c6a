using DiGA.Core.Data;
using DiGA.Core.Data.Transforms;
using DiGA.Core.Foundation;
using DiGA.Core.Training.Stages;
using DiGA.Core.Translation.Learned;
using static TorchSharp.torch;

namespace DiGA.Core.Training.Pipeline;

/// <summary>How one stage splits its batch over the training streams of each domain.</summary>
/// <param name="BatchSize">The images per domain in each batch.</param>
/// <param name="Shares">The images from each stream, in stream order (<see cref="StageOptions.StreamShares"/>); <see langword="null"/> for one stream of images at their loaded size whatever the options say.</param>
/// <param name="OptionsPath">The configuration path of the options that hold the batch size and shares, used in error messages.</param>
internal sealed record StreamSplit(int BatchSize, IList<int>? Shares, string OptionsPath)
{
    /// <summary>One stream at the loaded size: the supervised baselines, whose data may be either domain.</summary>
    /// <param name="batchSize">The batch size.</param>
    /// <returns>The split.</returns>
    public static StreamSplit OneStream(int batchSize) => new(batchSize, null, string.Empty);
}

/// <summary>
/// Builds the seeded, resumable batch streams of the stages from <see cref="TrainingDataOptions"/>: per domain one or more
/// streams (each with its pre-resize size and its share of the batch), each with flips, (random-sized) crops and source
/// rejection sampling.
/// </summary>
/// <param name="options">How batches are drawn; read at every call.</param>
/// <param name="seed">The run's seed; each stream mixes in its own salt.</param>
internal sealed class TrainingStreams(TrainingDataOptions options, int seed)
{
    /// <summary>The configuration path of <see cref="TrainingDataOptions"/>, used in error messages.</summary>
    internal const string DataPath = DiGAPipelineOptions.SectionName + ":Data";

    /// <summary>Creates the stream of one dataset in one stage.</summary>
    /// <param name="data">The dataset.</param>
    /// <param name="split">The stage's batch size and its shares of the domain's streams.</param>
    /// <param name="salt">Distinguishes this stream's order from the others of the run.</param>
    /// <param name="isSource">Whether the source streams and source rejection sampling apply (otherwise the target streams).</param>
    /// <param name="randomScale">Whether crops are randomly rescaled first (RandomSized_and_Crop).</param>
    /// <param name="device">The device of the batches.</param>
    /// <param name="normalization">The model's input normalisation.</param>
    /// <returns>A stream owned by the caller; seek it before reading.</returns>
    /// <exception cref="InvalidOperationException">The shares do not match the streams or the batch size, or another stream rule is broken; the message names the option.</exception>
    public BatchStream Create(ISegmentationDataset data, StreamSplit split, int salt, bool isSource, bool randomScale, Device device, ImageNormalization normalization)
    {
        var streamSeed = unchecked((seed * 1_000_003) + salt);
        if (split.Shares is null)
        {
            // The single-stream path draws exactly what it drew before streams existed.
            return new BatchStream([Part(data, split.BatchSize, streamSeed, preResize: null, isSource, randomScale, device, normalization)]);
        }

        Require(split);
        var streams = isSource ? options.SourceStreams : options.TargetStreams;
        if (streams.Count == 0)
        {
            return new BatchStream([Part(data, split.BatchSize, streamSeed, preResize: null, isSource, randomScale, device, normalization)]);
        }

        var parts = new List<BatchStream.Part>(streams.Count);
        for (var k = 0; k < streams.Count; k++)
        {
            if (split.Shares[k] > 0)
            {
                var preResize = streams[k] is { PreResizeHeight: { } h, PreResizeWidth: { } w } ? (h, w) : ((int, int)?)null;
                parts.Add(Part(data, split.Shares[k], SubStreamSeed(streamSeed, k), preResize, isSource, randomScale, device, normalization));
            }
        }

        return new BatchStream(parts);
    }

    /// <summary>Throws when <paramref name="split"/> does not fit the streams (call before a stage's expensive preparation).</summary>
    /// <param name="split">The stage's split.</param>
    /// <exception cref="InvalidOperationException">The shares do not match the streams or the batch size, or another stream rule is broken; the message names the option.</exception>
    public void Require(StreamSplit split)
    {
        if (split.Shares is not null && Errors(options, [split]).FirstOrDefault() is { } error)
        {
            throw new InvalidOperationException(error);
        }
    }

    /// <summary>Checks the streams, and the stream shares of every stage that reads them.</summary>
    /// <param name="pipeline">The pipeline options (data, warm-up, domain generalisation, self-training).</param>
    /// <param name="translator">The translator's training options.</param>
    /// <returns>One message per broken rule, each naming the option; empty when the options are valid.</returns>
    internal static IEnumerable<string> Validate(DiGAPipelineOptions pipeline, TranslatorTrainerOptions translator) =>
        Errors(pipeline.Data, [Split(pipeline, pipeline.WarmUp), Split(pipeline, pipeline.DomainGeneralization), Split(pipeline.SelfTraining.Stage, "SelfTraining:Stage"), Split(translator)]);

    /// <summary>The split of a warm-up run: the pipeline's warm-up, its domain-generalisation run, or options given with the request.</summary>
    internal static StreamSplit Split(DiGAPipelineOptions pipeline, WarmUpOptions warmUp) => Split(
        warmUp.Stage,
        ReferenceEquals(warmUp, pipeline.WarmUp) ? "WarmUp:Stage" : ReferenceEquals(warmUp, pipeline.DomainGeneralization) ? "DomainGeneralization:Stage" : null);

    /// <summary>The split of a stage whose options sit at <c>DiGA:Pipeline:{name}</c>, or were given with the request when <paramref name="name"/> is <see langword="null"/>.</summary>
    internal static StreamSplit Split(StageOptions stage, string? name) =>
        new(stage.BatchSize, stage.StreamShares, name is null ? "the request's stage options" : $"{DiGAPipelineOptions.SectionName}:{name}");

    /// <summary>The split of the translator's training (<c>DiGA:Translator:Training</c> when bound from configuration).</summary>
    internal static StreamSplit Split(TranslatorTrainerOptions translator) => new(translator.BatchSize, translator.StreamShares, "DiGA:Translator:Training");

    private static IEnumerable<string> Errors(TrainingDataOptions data, IEnumerable<StreamSplit> splits)
    {
        var domains = new[] { (Name: nameof(TrainingDataOptions.SourceStreams), Streams: data.SourceStreams), (Name: nameof(TrainingDataOptions.TargetStreams), Streams: data.TargetStreams) };
        var errors = new List<string>();
        foreach (var (name, streams) in domains)
        {
            errors.AddRange(StreamErrors(data, $"{DataPath}:{name}", streams));
        }

        if (errors.Count > 0)
        {
            return errors;
        }

        foreach (var split in splits)
        {
            var sharesPath = $"{split.OptionsPath}:{nameof(StageOptions.StreamShares)}";
            if (split.Shares is null)
            {
                errors.Add($"{sharesPath} must be a list (empty without training streams).");
                continue;
            }

            if (split.Shares.Any(share => share < 0))
            {
                errors.Add($"{sharesPath} must not hold negative shares ({Sum(split.Shares)}).");
                continue;
            }

            var counts = domains.Select(d => d.Streams.Count).Where(count => count > 0).Distinct().ToArray();
            if (counts.Length == 0 && split.Shares.Count > 0)
            {
                errors.Add($"{sharesPath} splits the batch ({Sum(split.Shares)}), but {DataPath}:{nameof(TrainingDataOptions.SourceStreams)} and {nameof(TrainingDataOptions.TargetStreams)} are empty; leave it empty for one stream at the loaded size.");
                continue;
            }

            foreach (var (name, streams) in domains.Where(d => d.Streams.Count > 0 && d.Streams.Count != split.Shares.Count))
            {
                errors.Add($"{sharesPath} has {split.Shares.Count} share(s), but {DataPath}:{name} has {streams.Count} stream(s); give one share per stream.");
            }

            if (counts.Length > 0 && split.Shares.Sum() != split.BatchSize)
            {
                errors.Add($"{sharesPath} add up to {Sum(split.Shares)} images, but {split.OptionsPath}:{nameof(StageOptions.BatchSize)} is {split.BatchSize}; they must be equal.");
            }
        }

        return errors;
    }

    private static IEnumerable<string> StreamErrors(TrainingDataOptions data, string path, IList<TrainingStreamOptions>? streams)
    {
        if (streams is null)
        {
            yield return $"{path} must be a list (empty for one stream of images at their loaded size).";
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
    }

    private static string Sum(IList<int> shares) => shares.Count > 1 ? $"{string.Join(" + ", shares)} = {shares.Sum()}" : $"{shares.Sum()}";

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
