using System.ComponentModel.DataAnnotations;
using DiGA.Core.Labels;

namespace DiGA.Core.Models.DeepLab;

/// <summary>Options of <see cref="DeepLabV2"/>. The defaults build the reference DeepLabV2-ResNet-101 for the 19 Cityscapes classes.</summary>
public sealed class DeepLabV2Options
{
    /// <summary>Gets or sets the ResNet depth: 101 (blocks 3, 4, 23, 3) or 50 (blocks 3, 4, 6, 3).</summary>
    /// <value>The default value is 101.</value>
    [AllowedValues(50, 101)]
    public int Depth { get; set; } = 101;

    /// <summary>Gets or sets the class names in train-id order; their count is the number of output channels.</summary>
    /// <value>The default value is the 19 Cityscapes classes.</value>
    [Required]
    [MinLength(1)]
    public IList<string> ClassNames { get; set; } = [.. LabelSpace.Cityscapes19.ClassNames];

    /// <summary>Gets or sets the stem width; the layer widths are 1×, 2×, 4×, 8× this value (outputs ×4). Only channel counts change.</summary>
    /// <value>The default value is 64 (the reference ResNet).</value>
    [Range(1, 1024)]
    public int BackboneWidth { get; set; } = 64;

    /// <summary>Gets or sets the channel count of every ASPP branch and of the decoder features; a multiple of 32 (GroupNorm with 32 groups).</summary>
    /// <value>The default value is 256.</value>
    [Range(32, 4096)]
    public int FeatureChannels { get; set; } = 256;

    /// <summary>Gets or sets the dilation (= padding) of the 3×3 ASPP branches.</summary>
    /// <value>The default value is 6, 12, 18, 24.</value>
    [Required]
    public IList<int> AtrousRates { get; set; } = [6, 12, 18, 24];

    /// <summary>Gets or sets the channel-dropout probability (<c>torch.nn.Dropout2d</c> semantics, masks from the training stage's dropout generator) applied to the decoder features.</summary>
    /// <value>The default value is 0.1.</value>
    [Range(0.0, 1.0)]
    public double DropoutRate { get; set; } = 0.1;

    /// <summary>Gets or sets the input normalisation the model expects (reported in <see cref="SegmentationModelInfo.Normalization"/>).</summary>
    /// <value>The default value is <see cref="ImageNormalization.Reference"/> (BGR, Caffe mean, /128).</value>
    [Required]
    public ImageNormalization Normalization { get; set; } = ImageNormalization.Reference;

    /// <summary>Gets or sets the device: <c>auto</c>, <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</summary>
    /// <value>The default value is <c>auto</c>.</value>
    [Required]
    public string Device { get; set; } = "auto";

    /// <summary>Gets or sets the seed of the weight initialisation.</summary>
    /// <value>The default value is 0.</value>
    public int Seed { get; set; }

    internal DeepLabV2Options Copy() => new()
    {
        Depth = Depth,
        ClassNames = [.. ClassNames],
        BackboneWidth = BackboneWidth,
        FeatureChannels = FeatureChannels,
        AtrousRates = [.. AtrousRates],
        DropoutRate = DropoutRate,
        Normalization = Normalization,
        Device = Device,
        Seed = Seed,
    };

    internal void Validate()
    {
        if (Depth is not (50 or 101))
        {
            throw new ArgumentException($"DeepLabV2Options.Depth must be 50 or 101, got {Depth}.", "options");
        }

        if (ClassNames is null || ClassNames.Count == 0)
        {
            throw new ArgumentException("DeepLabV2Options.ClassNames must name at least one class.", "options");
        }

        if (BackboneWidth < 1)
        {
            throw new ArgumentException($"DeepLabV2Options.BackboneWidth must be positive, got {BackboneWidth}.", "options");
        }

        if (FeatureChannels < 32 || FeatureChannels % 32 != 0)
        {
            throw new ArgumentException($"DeepLabV2Options.FeatureChannels must be a positive multiple of 32 (GroupNorm with 32 groups), got {FeatureChannels}.", "options");
        }

        if (AtrousRates is null || AtrousRates.Count == 0 || AtrousRates.Any(r => r < 1))
        {
            throw new ArgumentException("DeepLabV2Options.AtrousRates must hold at least one positive rate.", "options");
        }

        if (DropoutRate is < 0.0 or > 1.0)
        {
            throw new ArgumentException($"DeepLabV2Options.DropoutRate must be in [0, 1], got {DropoutRate}.", "options");
        }

        ArgumentNullException.ThrowIfNull(Normalization, "options.Normalization");
    }
}
