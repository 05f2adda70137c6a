using DiGA.Core.Foundation;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace DiGA.Core.Models.Compact;

/// <summary>
/// A narrow ResNet (stem of two stride-2 3×3 convolutions, three basic-block stages) followed by <see cref="AsppSeHead"/>.
/// Keys: <c>stem.*</c>, <c>layer1</c> … <c>layer3</c> (backbone) and <c>decoder.*</c> (head).
/// </summary>
internal sealed class CompactNetwork : Module<Tensor, (Tensor Logits, Tensor Features)>
{
    [ComponentName(Name = "stem")]
    private readonly Sequential _stem;

    [ComponentName(Name = "layer1")]
    private readonly CompactBasicBlock _layer1;

    [ComponentName(Name = "layer2")]
    private readonly CompactBasicBlock _layer2;

    [ComponentName(Name = "layer3")]
    private readonly CompactBasicBlock _layer3;

    [ComponentName(Name = "decoder")]
    private readonly AsppSeHead _decoder;

    public CompactNetwork(CompactSegmentationModelOptions options)
        : base(nameof(CompactNetwork))
    {
        Module<Tensor, Tensor> Norm(long channels) => options.Normalization == BackboneNormalization.BatchNorm
            ? new ScalarSafeBatchNorm2d(channels)
            : GroupNorm(options.GroupCount, channels);

        long width = options.Width;
        _stem = Sequential(
            Conv2d(3, width / 2, kernel_size: 3, stride: 2, padding: 1, bias: false), Norm(width / 2), ReLU(),
            Conv2d(width / 2, width, kernel_size: 3, stride: 2, padding: 1, bias: false), Norm(width), ReLU());
        _layer1 = new CompactBasicBlock(width, width, stride: 1, dilation: 1, Norm);
        var stride8 = options.OutputStride == 8;
        _layer2 = new CompactBasicBlock(width, width * 2, stride: stride8 ? 2 : 1, dilation: stride8 ? 1 : 2, Norm);
        _layer3 = new CompactBasicBlock(width * 2, width * 2, stride: 1, dilation: 2, Norm);
        _decoder = new AsppSeHead(width * 2, options.FeatureChannels, [.. options.AtrousRates], options.GroupCount, options.ClassNames.Count, options.DropoutRate, seReduction: 16);
        RegisterComponents();
    }

    /// <summary>Gets the head.</summary>
    public AsppSeHead Head => _decoder;

    /// <summary>Gets the backbone modules.</summary>
    public IEnumerable<Module> BackboneModules => [_stem, _layer1, _layer2, _layer3];

    public override (Tensor Logits, Tensor Features) forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = _layer3.forward(_layer2.forward(_layer1.forward(BlockAlignedConvolution.Forward(_stem, input))));
        var (logits, features) = _decoder.forward(x);
        return (logits.MoveToOuterDisposeScope(), features.MoveToOuterDisposeScope());
    }
}
