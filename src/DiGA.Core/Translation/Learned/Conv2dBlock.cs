using DiGA.Core.Foundation;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace DiGA.Core.Translation.Learned;

/// <summary>Padding kind of a <see cref="Conv2dBlock"/>.</summary>
internal enum BlockPadding
{
    Reflect,
    Zero,
}

/// <summary>Activation of a <see cref="Conv2dBlock"/>.</summary>
internal enum BlockActivation
{
    None,
    Relu,
    LeakyRelu,
    Tanh,
}

/// <summary>pad → conv → optional instance norm (no affine, no running statistics) → optional activation.</summary>
/// <remarks>State-dict keys: <c>conv.weight</c>, <c>conv.bias</c> (when the conv has a bias).</remarks>
internal sealed class Conv2dBlock : Module<Tensor, Tensor>
{
    [ComponentName(Name = "pad")]
    private readonly Module<Tensor, Tensor> _pad;

    [ComponentName(Name = "conv")]
    private readonly Conv2d _conv;

    [ComponentName(Name = "norm")]
    private readonly Module<Tensor, Tensor>? _norm;

    [ComponentName(Name = "activation")]
    private readonly Module<Tensor, Tensor>? _activation;

    public Conv2dBlock(
        long inputChannels,
        long outputChannels,
        long kernelSize,
        long stride,
        long padding,
        bool instanceNorm,
        BlockActivation activation,
        BlockPadding paddingKind,
        bool bias = true)
        : base(nameof(Conv2dBlock))
    {
        _pad = paddingKind == BlockPadding.Reflect ? ReflectionPad2d(padding) : ZeroPad2d(padding);
        _conv = Conv2d(inputChannels, outputChannels, kernelSize, stride: stride, bias: bias);
        _norm = instanceNorm ? InstanceNorm2d(outputChannels, affine: false, track_running_stats: false) : null;
        _activation = activation switch
        {
            BlockActivation.Relu => ReLU(),
            BlockActivation.LeakyRelu => new ScalarSafeLeakyReLU(Scalars.Of(0.2)),
            BlockActivation.Tanh => Tanh(),
            _ => null,
        };
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = BlockAlignedConvolution.Forward(_conv, _pad.forward(input));
        if (_norm is not null)
        {
            x = _norm.forward(x);
        }

        if (_activation is not null)
        {
            x = _activation.forward(x);
        }

        return x.MoveToOuterDisposeScope();
    }
}
