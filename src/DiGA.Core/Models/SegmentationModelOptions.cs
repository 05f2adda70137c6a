using System.ComponentModel.DataAnnotations;
using DiGA.Core.Labels;
using DiGA.Core.Models.DeepLab;

namespace DiGA.Core.Models;

/// <summary>Configuration-friendly description of a segmentation model: its architecture name and the options every architecture understands.</summary>
public sealed class SegmentationModelOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "DiGA:Model";

    /// <summary>Gets or sets the architecture name: <c>deeplabv2-resnet101</c>, <c>deeplabv2-resnet50</c>, <c>compact</c>, <c>mit-b0+daformer</c> … <c>mit-b5+daformer</c>, <c>mit-b0+segformer</c> … <c>mit-b5+segformer</c>, or any registered one.</summary>
    /// <value>The default value is <c>deeplabv2-resnet101</c> (the reference model).</value>
    [Required]
    public string Architecture { get; set; } = "deeplabv2-resnet101";

    /// <summary>Gets or sets the class names in train-id order.</summary>
    /// <value>The default value is the 19 Cityscapes classes.</value>
    [Required]
    [MinLength(1)]
    public IList<string> ClassNames { get; set; } = [.. LabelSpace.Cityscapes19.ClassNames];

    /// <summary>Gets or sets the decoder feature channels; <see langword="null"/> uses the architecture default (256 for DeepLabV2 and DAFormer, 32 for the compact model, 768 for SegFormer on MiT-B1…B5 and 256 on B0).</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    [Range(8, 4096)]
    public int? FeatureChannels { get; set; }

    /// <summary>Gets or sets the backbone width; <see langword="null"/> uses the architecture default (64 for DeepLabV2, 32 for the compact model; for Mix Transformers the first-stage width, 32 for B0 and 64 for B1…B5).</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    [Range(1, 1024)]
    public int? BackboneWidth { get; set; }

    /// <summary>Gets or sets the expected output stride; <see langword="null"/> accepts the architecture's own (DeepLabV2 8, Mix Transformer models 4, the compact model 2), another value is an error.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    [Range(2, 8)]
    public int? OutputStride { get; set; }

    /// <summary>Gets or sets the input normalisation.</summary>
    /// <value>The default value is <see cref="InputNormalizationPreset.Reference"/>.</value>
    public InputNormalizationPreset Normalization { get; set; } = InputNormalizationPreset.Reference;

    /// <summary>Gets or sets the normalisation layer of the compact model (DeepLabV2 always uses frozen-affine BatchNorm).</summary>
    /// <value>The default value is <see cref="BackboneNormalization.BatchNorm"/>.</value>
    public BackboneNormalization BackboneNormalization { get; set; } = BackboneNormalization.BatchNorm;

    /// <summary>Gets or sets the device: <c>auto</c>, <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</summary>
    /// <value>The default value is <c>auto</c>.</value>
    [Required]
    [RegularExpression("^(auto|cpu|cuda(:[0-9]+)?)$")]
    public string Device { get; set; } = "auto";

    /// <summary>Gets or sets the seed of the weight initialisation.</summary>
    /// <value>The default value is 0.</value>
    public int Seed { get; set; }

    /// <summary>Gets the input normalisation <see cref="Normalization"/> names.</summary>
    /// <exception cref="ArgumentException"><see cref="Normalization"/> is not a known preset.</exception>
    public ImageNormalization InputNormalization => Normalization switch
    {
        InputNormalizationPreset.Reference => ImageNormalization.Reference,
        InputNormalizationPreset.ImageNet => ImageNormalization.ImageNet,
        _ => throw new ArgumentException($"Unknown input normalisation {Normalization}."),
    };
}
