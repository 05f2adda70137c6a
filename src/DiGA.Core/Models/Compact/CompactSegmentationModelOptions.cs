using System.ComponentModel.DataAnnotations;
using DiGA.Core.Labels;
using DiGA.Core.Models.DeepLab;

namespace DiGA.Core.Models.Compact;

/// <summary>Options of <see cref="CompactSegmentationModel"/>, a small CPU-friendly model at output stride 2.</summary>
public sealed class CompactSegmentationModelOptions
{
    /// <summary>Gets or sets the class names in train-id order; their count is the number of output channels.</summary>
    /// <value>The default value is the 19 Cityscapes classes.</value>
    [Required]
    [MinLength(1)]
    public IList<string> ClassNames { get; set; } = [.. LabelSpace.Cityscapes19.ClassNames];

    /// <summary>Gets or sets the trunk width, an even number from 2 to 1024: the stem has half as many channels, the stride-4 trunk and the head branches this many; with <see cref="BackboneNormalization.GroupNorm"/> half of it is a multiple of <see cref="GroupCount"/>.</summary>
    /// <value>The default value is 32.</value>
    [Range(2, 1024)]
    public int Width { get; set; } = 32;

    /// <summary>Gets or sets the channel count of the stride-2 decoder features (the penultimate layer, used for class centroids); with <see cref="BackboneNormalization.GroupNorm"/> a multiple of <see cref="GroupCount"/>.</summary>
    /// <value>The default value is 32.</value>
    [Range(1, 4096)]
    public int FeatureChannels { get; set; } = 32;

    /// <summary>Gets or sets the dilations of the 3×3 context branches of the head, on the stride-4 grid.</summary>
    /// <value>The default value is 6, 12.</value>
    [Required]
    public IList<int> AtrousRates { get; set; } = [6, 12];

    /// <summary>Gets or sets the normalisation layer of the trunk and the head.</summary>
    /// <value>The default value is <see cref="BackboneNormalization.BatchNorm"/>.</value>
    public BackboneNormalization Normalization { get; set; } = BackboneNormalization.BatchNorm;

    /// <summary>Gets or sets the number of GroupNorm groups with <see cref="BackboneNormalization.GroupNorm"/>.</summary>
    /// <value>The default value is 8.</value>
    [Range(1, 256)]
    public int GroupCount { get; set; } = 8;

    /// <summary>Gets or sets the channel-dropout probability (<c>torch.nn.Dropout2d</c> semantics, masks from the training stage's dropout generator) applied to the decoder features.</summary>
    /// <value>The default value is 0.1.</value>
    [Range(0.0, 1.0)]
    public double DropoutRate { get; set; } = 0.1;

    /// <summary>Gets or sets the input normalisation the model expects.</summary>
    /// <value>The default value is <see cref="ImageNormalization.Reference"/>.</value>
    [Required]
    public ImageNormalization InputNormalization { get; set; } = ImageNormalization.Reference;

    /// <summary>Gets or sets the device: <c>auto</c>, <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</summary>
    /// <value>The default value is <c>auto</c>.</value>
    [Required]
    public string Device { get; set; } = "auto";

    /// <summary>Gets or sets the seed of the weight initialisation.</summary>
    /// <value>The default value is 0.</value>
    public int Seed { get; set; }

    internal CompactSegmentationModelOptions Copy() => new()
    {
        ClassNames = [.. ClassNames],
        Width = Width,
        FeatureChannels = FeatureChannels,
        AtrousRates = [.. AtrousRates],
        Normalization = Normalization,
        GroupCount = GroupCount,
        DropoutRate = DropoutRate,
        InputNormalization = InputNormalization,
        Device = Device,
        Seed = Seed,
    };

    internal void Validate()
    {
        if (ClassNames is null || ClassNames.Count == 0)
        {
            throw new ArgumentException("CompactSegmentationModelOptions.ClassNames must name at least one class.", "options");
        }

        if (Width is < 2 or > 1024 || Width % 2 != 0)
        {
            throw new ArgumentException($"CompactSegmentationModelOptions.Width must be an even number from 2 to 1024, got {Width}.", "options");
        }

        if (FeatureChannels is < 1 or > 4096)
        {
            throw new ArgumentException($"CompactSegmentationModelOptions.FeatureChannels must be from 1 to 4096, got {FeatureChannels}.", "options");
        }

        if (GroupCount < 1)
        {
            throw new ArgumentException($"CompactSegmentationModelOptions.GroupCount must be positive, got {GroupCount}.", "options");
        }

        if (Normalization == BackboneNormalization.GroupNorm && ((Width / 2) % GroupCount != 0 || FeatureChannels % GroupCount != 0))
        {
            throw new ArgumentException($"With GroupNorm, CompactSegmentationModelOptions.Width / 2 ({Width / 2}) and FeatureChannels ({FeatureChannels}) must be multiples of GroupCount ({GroupCount}).", "options");
        }

        if (AtrousRates is null || AtrousRates.Count == 0 || AtrousRates.Any(r => r < 1))
        {
            throw new ArgumentException("CompactSegmentationModelOptions.AtrousRates must hold at least one positive rate.", "options");
        }

        if (DropoutRate is < 0.0 or > 1.0)
        {
            throw new ArgumentException($"CompactSegmentationModelOptions.DropoutRate must be in [0, 1], got {DropoutRate}.", "options");
        }

        ArgumentNullException.ThrowIfNull(InputNormalization, "options.InputNormalization");
    }
}
