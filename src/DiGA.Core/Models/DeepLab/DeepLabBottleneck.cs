using DiGA.Core.Foundation;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace DiGA.Core.Models.DeepLab;

/// <summary>
/// Caffe-style DeepLabV2 bottleneck: the stride sits on the first 1×1 convolution; the 3×3 convolution is dilated.
/// Keys: <c>conv1</c>, <c>bn1</c>, <c>conv2</c>, <c>bn2</c>, <c>conv3</c>, <c>bn3</c>, optional <c>downsample.{0 conv,1 bn}</c>.
/// BatchNorm affine parameters are frozen (<c>requires_grad = false</c>).
/// </summary>
internal sealed class DeepLabBottleneck : Module<Tensor, Tensor>
{
    public const int Expansion = 4;

    [ComponentName(Name = "conv1")]
    private readonly Conv2d _conv1;

    [ComponentName(Name = "bn1")]
    private readonly ScalarSafeBatchNorm2d _bn1;

    [ComponentName(Name = "conv2")]
    private readonly Conv2d _conv2;

    [ComponentName(Name = "bn2")]
    private readonly ScalarSafeBatchNorm2d _bn2;

    [ComponentName(Name = "conv3")]
    private readonly Conv2d _conv3;

    [ComponentName(Name = "bn3")]
    private readonly ScalarSafeBatchNorm2d _bn3;

    [ComponentName(Name = "downsample")]
    private readonly Sequential? _downsample;

    public DeepLabBottleneck(long inChannels, long planes, long stride, long dilation, bool withDownsample)
        : base(nameof(DeepLabBottleneck))
    {
        _conv1 = Conv2d(inChannels, planes, kernel_size: 1, stride: stride, bias: false);
        _bn1 = FrozenBatchNorm(planes);
        _conv2 = Conv2d(planes, planes, kernel_size: 3, padding: dilation, dilation: dilation, bias: false);
        _bn2 = FrozenBatchNorm(planes);
        _conv3 = Conv2d(planes, planes * Expansion, kernel_size: 1, bias: false);
        _bn3 = FrozenBatchNorm(planes * Expansion);
        if (withDownsample)
        {
            _downsample = Sequential(Conv2d(inChannels, planes * Expansion, kernel_size: 1, stride: stride, bias: false), FrozenBatchNorm(planes * Expansion));
        }

        RegisterComponents();
    }

    /// <summary>Creates a BatchNorm2d (eps 1e-5, momentum 0.1) whose affine parameters do not train.</summary>
    internal static ScalarSafeBatchNorm2d FrozenBatchNorm(long channels)
    {
        var bn = new ScalarSafeBatchNorm2d(channels, eps: 1e-5, momentum: 0.1);
        bn.weight!.requires_grad = false;
        bn.bias!.requires_grad = false;
        return bn;
    }

    /// <remarks>
    /// Each intermediate is released as soon as the next operation has consumed it, and the ReLUs run in place on the
    /// normalised outputs (as the reference's <c>ReLU(inplace=True)</c>): autograd keeps what the backward pass needs, and a
    /// forward pass without gradients (the teacher's) holds two or three activations at a time instead of the whole block's.
    /// </remarks>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = NormalizeRelu(_conv1.forward(input), _bn1);
        using (var h = x)
        {
            x = NormalizeRelu(BlockAlignedConvolution.Forward(_conv2, h), _bn2);
        }

        using (var h = x)
        using (var convolved = _conv3.forward(h))
        {
            x = _bn3.forward(convolved);
        }

        using (var residual = _downsample is null ? null : BlockAlignedConvolution.Forward(_downsample, input))
        {
            x.add_(residual ?? input, Scalars.One);
        }

        return x.relu_().MoveToOuterDisposeScope();
    }

    /// <summary>BatchNorm then ReLU in place; the convolution output is released.</summary>
    internal static Tensor NormalizeRelu(Tensor convolved, ScalarSafeBatchNorm2d bn)
    {
        using (convolved)
        {
            return bn.forward(convolved).relu_();
        }
    }
}
