using System.ComponentModel.DataAnnotations;

namespace DiGA.Core.Data;

/// <summary>Options of <see cref="SegmentationDataLoader"/>.</summary>
public sealed class DataLoaderOptions
{
    /// <summary>Gets or sets the number of samples per batch.</summary>
    /// <value>The default value is 1.</value>
    [Range(1, 65536)]
    public int BatchSize { get; set; } = 1;

    /// <summary>Gets or sets a value indicating whether each epoch visits the samples in a seeded random order.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool Shuffle { get; set; } = true;

    /// <summary>Gets or sets the seed of the epoch permutations and of every sample's augmentation generator.</summary>
    /// <value>The default value is 0.</value>
    public int Seed { get; set; }

    /// <summary>Gets or sets the number of epochs to produce; 0 means an endless stream of reshuffled epochs.</summary>
    /// <value>The default value is 1.</value>
    [Range(0, int.MaxValue)]
    public int Epochs { get; set; } = 1;

    /// <summary>Gets or sets a value indicating whether the last, incomplete batch of each epoch is dropped.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool DropLast { get; set; }

    /// <summary>Gets or sets the global index of the first batch to produce (to resume a run with the same data order).</summary>
    /// <value>The default value is 0.</value>
    [Range(0, long.MaxValue)]
    public long StartBatch { get; set; }

    /// <summary>Gets or sets the number of parallel decode/augment workers; 0 means the processor count.</summary>
    /// <value>The default value is 0.</value>
    [Range(0, 256)]
    public int Workers { get; set; }

    /// <summary>Gets or sets the maximum number of batches decoded ahead of the consumer (bounded prefetch).</summary>
    /// <value>The default value is 4.</value>
    [Range(1, 1024)]
    public int PrefetchBatches { get; set; } = 4;

    /// <summary>Gets or sets the device batches are moved to: <c>auto</c>, <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</summary>
    /// <value>The default value is <c>cpu</c>.</value>
    [Required]
    [RegularExpression("^(auto|cpu|cuda(:[0-9]+)?)$")]
    public string Device { get; set; } = "cpu";

    /// <summary>Gets or sets the image normalisation applied when collating to tensors.</summary>
    /// <value>The default value is <see cref="ImageNormalization.Reference"/> (BGR, Caffe mean, ÷128).</value>
    [Required]
    public ImageNormalization Normalization { get; set; } = ImageNormalization.Reference;

    /// <summary>Gets or sets what happens when a sample cannot be loaded.</summary>
    /// <value>The default value is <see cref="InvalidSamplePolicy.Throw"/>.</value>
    public InvalidSamplePolicy InvalidSamplePolicy { get; set; } = InvalidSamplePolicy.Throw;

    /// <summary>Copies the options with another start position and endless epochs, for a stream that seeks.</summary>
    internal DataLoaderOptions StartingAt(long batchIndex)
    {
        var copy = (DataLoaderOptions)MemberwiseClone();
        copy.StartBatch = batchIndex;
        copy.Epochs = 0;
        return copy;
    }
}
