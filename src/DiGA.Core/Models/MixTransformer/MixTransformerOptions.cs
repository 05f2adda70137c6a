using System.ComponentModel.DataAnnotations;
using DiGA.Core.Labels;

namespace DiGA.Core.Models.MixTransformer;

/// <summary>Options of <see cref="MixTransformerModel"/>: a SegFormer Mix Transformer encoder with the DAFormer or SegFormer decoder. The defaults build DAFormer (MiT-B5) for the 19 Cityscapes classes.</summary>
public sealed class MixTransformerOptions
{
    /// <summary>Gets or sets the encoder size.</summary>
    /// <value>The default value is <see cref="MixTransformerVariant.B5"/>.</value>
    public MixTransformerVariant Variant { get; set; } = MixTransformerVariant.B5;

    /// <summary>Gets or sets the decoder.</summary>
    /// <value>The default value is <see cref="MixTransformerDecoder.DAFormer"/>.</value>
    public MixTransformerDecoder Decoder { get; set; } = MixTransformerDecoder.DAFormer;

    /// <summary>Gets or sets the class names in train-id order; their count is the number of output channels.</summary>
    /// <value>The default value is the 19 Cityscapes classes.</value>
    [Required]
    [MinLength(1)]
    public IList<string> ClassNames { get; set; } = [.. LabelSpace.Cityscapes19.ClassNames];

    /// <summary>
    /// Gets or sets the first-stage embedding width w; the four stages have w, 2w, 5w and 8w channels with 1, 2, 5 and 8
    /// attention heads (head width w). <see langword="null"/> uses the variant's (32 for B0, 64 otherwise); tests use narrow widths.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    [Range(1, 1024)]
    public int? Width { get; set; }

    /// <summary>
    /// Gets or sets the decoder width: the per-level embedding and fused-feature channels. <see langword="null"/> uses the
    /// reference value: 256 for DAFormer and for SegFormer on B0, 768 for SegFormer on B1–B5.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    [Range(1, 4096)]
    public int? DecoderChannels { get; set; }

    /// <summary>Gets or sets the dilations of the DAFormer fusion branches (1 = a 1×1 branch, others depthwise-separable 3×3).</summary>
    /// <value>The default value is 1, 6, 12, 18.</value>
    [Required]
    public IList<int> FusionDilations { get; set; } = [1, 6, 12, 18];

    /// <summary>Gets or sets the stochastic-depth rate of the last encoder block; block k of n gets <c>rate · k / (n − 1)</c>.</summary>
    /// <value>The default value is 0.1.</value>
    [Range(0.0, 1.0)]
    public double DropPathRate { get; set; } = 0.1;

    /// <summary>Gets or sets the channel-dropout probability (<c>torch.nn.Dropout2d</c> semantics, masks from the training stage's dropout generator) applied to the decoder features before the classifier.</summary>
    /// <value>The default value is 0.1.</value>
    [Range(0.0, 1.0)]
    public double DropoutRate { get; set; } = 0.1;

    /// <summary>Gets or sets the input normalisation the model expects.</summary>
    /// <value>The default value is <see cref="ImageNormalization.ImageNet"/> (what the MiT ImageNet weights were trained with).</value>
    [Required]
    public ImageNormalization InputNormalization { get; set; } = ImageNormalization.ImageNet;

    /// <summary>Gets or sets the device: <c>auto</c>, <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</summary>
    /// <value>The default value is <c>auto</c>.</value>
    [Required]
    public string Device { get; set; } = "auto";

    /// <summary>Gets or sets the seed of the weight initialisation.</summary>
    /// <value>The default value is 0.</value>
    public int Seed { get; set; }

    internal int ResolvedWidth => Width ?? (Variant == MixTransformerVariant.B0 ? 32 : 64);

    internal int ResolvedDecoderChannels => DecoderChannels ?? (Decoder == MixTransformerDecoder.SegFormer && Variant != MixTransformerVariant.B0 ? 768 : 256);

    internal int[] EmbedDims => [ResolvedWidth, 2 * ResolvedWidth, 5 * ResolvedWidth, 8 * ResolvedWidth];

    internal int[] Depths => Variant switch
    {
        MixTransformerVariant.B0 or MixTransformerVariant.B1 => [2, 2, 2, 2],
        MixTransformerVariant.B2 => [3, 4, 6, 3],
        MixTransformerVariant.B3 => [3, 4, 18, 3],
        MixTransformerVariant.B4 => [3, 8, 27, 3],
        _ => [3, 6, 40, 3],
    };

    internal static int[] Heads => [1, 2, 5, 8];

    internal static int[] ReductionRatios => [8, 4, 2, 1];

    internal MixTransformerOptions Copy() => new()
    {
        Variant = Variant,
        Decoder = Decoder,
        ClassNames = [.. ClassNames],
        Width = Width,
        DecoderChannels = DecoderChannels,
        FusionDilations = [.. FusionDilations],
        DropPathRate = DropPathRate,
        DropoutRate = DropoutRate,
        InputNormalization = InputNormalization,
        Device = Device,
        Seed = Seed,
    };

    internal void Validate()
    {
        if (!Enum.IsDefined(Variant) || !Enum.IsDefined(Decoder))
        {
            throw new ArgumentException($"MixTransformerOptions: unknown variant {Variant} or decoder {Decoder}.", "options");
        }

        if (ClassNames is null || ClassNames.Count == 0)
        {
            throw new ArgumentException("MixTransformerOptions.ClassNames must name at least one class.", "options");
        }

        if (Width is < 1 || DecoderChannels is < 1)
        {
            throw new ArgumentException($"MixTransformerOptions.Width ({Width}) and DecoderChannels ({DecoderChannels}) must be positive.", "options");
        }

        if (FusionDilations is null || FusionDilations.Count == 0 || FusionDilations.Any(d => d < 1))
        {
            throw new ArgumentException("MixTransformerOptions.FusionDilations must hold at least one positive dilation.", "options");
        }

        if (DropPathRate is < 0.0 or >= 1.0 || DropoutRate is < 0.0 or > 1.0)
        {
            throw new ArgumentException($"MixTransformerOptions.DropPathRate must be in [0, 1) and DropoutRate in [0, 1], got {DropPathRate} and {DropoutRate}.", "options");
        }

        ArgumentNullException.ThrowIfNull(InputNormalization, "options.InputNormalization");
    }
}
