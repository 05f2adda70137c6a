using System.ComponentModel.DataAnnotations;
using DiGA.Core.Data;
using DiGA.Core.Data.Transforms;
using Microsoft.Extensions.Options;

namespace DiGA.Core.Training;

/// <summary>How training batches are drawn: the streams of each domain, crops, flips, rejection sampling and the loader's parallelism.</summary>
public sealed class TrainingDataOptions
{
    /// <summary>Gets or sets the crop height; with <see cref="CropWidth"/> unset (null) images are used at their size.</summary>
    /// <value>The default value is 512 (the reference crop is 512×896).</value>
    [Range(8, 16384)]
    public int? CropHeight { get; set; } = 512;

    /// <summary>Gets or sets the crop width.</summary>
    /// <value>The default value is 896.</value>
    [Range(8, 16384)]
    public int? CropWidth { get; set; } = 896;

    /// <summary>
    /// Gets or sets the streams each source batch is drawn from, in batch order: every stream is the source dataset at its
    /// own pre-resize size, with its own seeded order. Empty: one stream of images at their loaded size.
    /// </summary>
    /// <remarks>
    /// Each stage splits its <see cref="StageOptions.BatchSize"/> over the streams with its <see cref="StageOptions.StreamShares"/>
    /// (the translator's training with <see cref="Translation.Learned.TranslatorTrainerOptions.StreamShares"/>), the same
    /// split for source and target. The supervised baselines, whose data may come from either domain, always use one stream
    /// at the loaded size. Streams of different sizes need a crop (<see cref="CropHeight"/>, <see cref="CropWidth"/>).
    /// </remarks>
    /// <value>The default value is an empty list; the reference presets set two streams (low and high resolution).</value>
    [Required]
    [ValidateEnumeratedItems]
    public IList<TrainingStreamOptions> SourceStreams { get; set; } = [];

    /// <summary>Gets or sets the streams each target batch is drawn from (the warm-up's target forward, self-training and the translator's training), with the rules of <see cref="SourceStreams"/>.</summary>
    /// <value>The default value is an empty list: one stream of images at their loaded size.</value>
    [Required]
    [ValidateEnumeratedItems]
    public IList<TrainingStreamOptions> TargetStreams { get; set; } = [];

    /// <summary>Gets or sets whether training images are flipped horizontally with probability 0.5.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool HorizontalFlip { get; set; } = true;

    /// <summary>Gets or sets whether source crops are re-drawn (up to 5 times) until they show enough classes, as the reference does.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool SourceRejectionSampling { get; set; } = true;

    /// <summary>Gets or sets the number of parallel decode/augment workers; 0 means the processor count.</summary>
    /// <value>The default value is 0.</value>
    [Range(0, 256)]
    public int Workers { get; set; }

    /// <summary>Gets or sets how many batches each loader prepares ahead.</summary>
    /// <value>The default value is 4.</value>
    [Range(1, 1024)]
    public int PrefetchBatches { get; set; } = 4;

    /// <summary>Gets or sets what happens to a sample whose files are missing or invalid.</summary>
    /// <value>The default value is <see cref="InvalidSamplePolicy.Throw"/>.</value>
    public InvalidSamplePolicy InvalidSamplePolicy { get; set; } = InvalidSamplePolicy.Throw;

    /// <summary>Gets or sets the batch size of inference passes (pseudo-labels, centroids, evaluation).</summary>
    /// <value>The default value is 1.</value>
    [Range(1, 4096)]
    public int InferenceBatchSize { get; set; } = 1;
}
