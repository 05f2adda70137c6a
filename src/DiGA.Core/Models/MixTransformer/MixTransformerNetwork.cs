using TorchSharp;
using TorchSharp.Utils;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace DiGA.Core.Models.MixTransformer;

/// <summary>A Mix Transformer encoder (<c>backbone.*</c>) and a decoder (<c>decode_head.*</c>), as in mmseg's <c>EncoderDecoder</c>.</summary>
internal sealed class MixTransformerNetwork : Module<Tensor, (Tensor Logits, Tensor Features)>
{
    [ComponentName(Name = "backbone")]
    private readonly MixTransformerEncoder _backbone;

    [ComponentName(Name = "decode_head")]
    private readonly MixTransformerHead _decodeHead;

    public MixTransformerNetwork(MixTransformerOptions options)
        : base(nameof(MixTransformerNetwork))
    {
        var dims = options.EmbedDims;
        _backbone = new MixTransformerEncoder(dims, options.Depths, MixTransformerOptions.Heads, MixTransformerOptions.ReductionRatios, mlpRatio: 4, options.DropPathRate);
        var channels = options.ResolvedDecoderChannels;
        _decodeHead = options.Decoder == MixTransformerDecoder.SegFormer
            ? new SegFormerHead(dims, channels, options.ClassNames.Count, options.DropoutRate)
            : new DAFormerHead(dims, channels, channels, [.. options.FusionDilations], options.ClassNames.Count, options.DropoutRate);
        RegisterComponents();
    }

    /// <summary>Gets the encoder.</summary>
    public MixTransformerEncoder Backbone => _backbone;

    /// <summary>Gets the decoder.</summary>
    public MixTransformerHead Head => _decodeHead;

    public override (Tensor Logits, Tensor Features) forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var levels = _backbone.forward(input);
        var (logits, features) = _decodeHead.forward(levels);
        return (logits.MoveToOuterDisposeScope(), features.MoveToOuterDisposeScope());
    }
}
