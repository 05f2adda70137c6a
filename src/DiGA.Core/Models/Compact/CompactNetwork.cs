using DiGA.Core.Foundation;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace DiGA.Core.Models.Compact;

/// <summary>
/// A narrow residual trunk at output stride 4 followed by <see cref="CompactDecoder"/>: stem of a stride-2 and a stride-1
/// 3×3 convolution (w/2 channels), a stride-2 3×3 convolution to w channels, a basic block (the stride-4 skip), two
/// basic blocks with dilations 2 and 4 (the context). Keys: <c>stem.*</c>, <c>down.*</c>, <c>layer1</c> … <c>layer3</c>
/// (backbone) and <c>decoder.*</c> (head).
/// </summary>
internal sealed class CompactNetwork : Module<Tensor, (Tensor Logits, Tensor Features)>
{
    [ComponentName(Name = "stem")]
    private readonly Sequential _stem;

    [ComponentName(Name = "down")]
    private readonly Sequential _down;

    [ComponentName(Name = "layer1")]
    private readonly CompactBasicBlock _layer1;

    [ComponentName(Name = "layer2")]
    private readonly CompactBasicBlock _layer2;

    [ComponentName(Name = "layer3")]
    private readonly CompactBasicBlock _layer3;

    [ComponentName(Name = "decoder")]
    private readonly CompactDecoder _decoder;

    public CompactNetwork(CompactSegmentationModelOptions options)
        : base(nameof(CompactNetwork))
    {
        Module<Tensor, Tensor> Norm(long channels) => options.Normalization == BackboneNormalization.BatchNorm
            ? new ScalarSafeBatchNorm2d(channels)
            : GroupNorm(options.GroupCount, channels);

        long width = options.Width;
        var stem = width / 2;
        _stem = Sequential(
            Conv2d(3, stem, kernel_size: 3, stride: 2, padding: 1, bias: false), Norm(stem), ReLU(),
            Conv2d(stem, stem, kernel_size: 3, padding: 1, bias: false), Norm(stem), ReLU());
        _down = Sequential(Conv2d(stem, width, kernel_size: 3, stride: 2, padding: 1, bias: false), Norm(width), ReLU());
        _layer1 = new CompactBasicBlock(width, width, stride: 1, dilation: 1, Norm);
        _layer2 = new CompactBasicBlock(width, width, stride: 1, dilation: 2, Norm);
        _layer3 = new CompactBasicBlock(width, width, stride: 1, dilation: 4, Norm);
        _decoder = new CompactDecoder(width, stem, options.FeatureChannels, [.. options.AtrousRates], options.ClassNames.Count, options.DropoutRate, Norm);
        RegisterComponents();
    }

    /// <summary>Gets the head.</summary>
    public CompactDecoder Head => _decoder;

    /// <summary>Gets the backbone modules.</summary>
    public IEnumerable<Module> BackboneModules => [_stem, _down, _layer1, _layer2, _layer3];

    public override (Tensor Logits, Tensor Features) forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var stem = BlockAlignedConvolution.Forward(_stem, input);
        var skip = _layer1.forward(BlockAlignedConvolution.Forward(_down, stem));
        var context = _layer3.forward(_layer2.forward(skip));
        var (logits, features) = _decoder.forward(context, skip, stem);
        return (logits.MoveToOuterDisposeScope(), features.MoveToOuterDisposeScope());
    }
}
