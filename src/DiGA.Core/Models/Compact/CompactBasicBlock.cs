using DiGA.Core.Foundation;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace DiGA.Core.Models.Compact;

/// <summary>A ResNet basic block (two 3×3 convolutions, optional 1×1 projection shortcut) with a configurable norm layer.</summary>
internal sealed class CompactBasicBlock : Module<Tensor, Tensor>
{
    [ComponentName(Name = "conv1")]
    private readonly Conv2d _conv1;

    [ComponentName(Name = "norm1")]
    private readonly Module<Tensor, Tensor> _norm1;

    [ComponentName(Name = "conv2")]
    private readonly Conv2d _conv2;

    [ComponentName(Name = "norm2")]
    private readonly Module<Tensor, Tensor> _norm2;

    [ComponentName(Name = "shortcut")]
    private readonly Sequential? _shortcut;

    public CompactBasicBlock(long inChannels, long outChannels, long stride, long dilation, Func<long, Module<Tensor, Tensor>> norm)
        : base(nameof(CompactBasicBlock))
    {
        _conv1 = Conv2d(inChannels, outChannels, kernel_size: 3, stride: stride, padding: dilation, dilation: dilation, bias: false);
        _norm1 = norm(outChannels);
        _conv2 = Conv2d(outChannels, outChannels, kernel_size: 3, padding: dilation, dilation: dilation, bias: false);
        _norm2 = norm(outChannels);
        if (stride != 1 || inChannels != outChannels)
        {
            _shortcut = Sequential(Conv2d(inChannels, outChannels, kernel_size: 1, stride: stride, bias: false), norm(outChannels));
        }

        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = functional.relu(_norm1.forward(BlockAlignedConvolution.Forward(_conv1, input)));
        x = _norm2.forward(BlockAlignedConvolution.Forward(_conv2, x));
        var residual = _shortcut is null ? input : _shortcut.forward(input);
        return functional.relu(x.add_(residual, Scalars.One)).MoveToOuterDisposeScope();
    }
}
