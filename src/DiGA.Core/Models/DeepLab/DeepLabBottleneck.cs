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

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = functional.relu(_bn1.forward(_conv1.forward(input)));
        x = functional.relu(_bn2.forward(BlockAlignedConvolution.Forward(_conv2, x)));
        x = _bn3.forward(_conv3.forward(x));
        var residual = _downsample is null ? input : _downsample.forward(input);
        return functional.relu(x.add_(residual, Scalars.One)).MoveToOuterDisposeScope();
    }
}
