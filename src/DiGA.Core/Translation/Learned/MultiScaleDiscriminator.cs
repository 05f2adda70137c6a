using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace DiGA.Core.Translation.Learned;

/// <summary>
/// Three-scale patch discriminator. Each scale: CB(3→w, 4,2,1) → 3× CB(×2 channels, 4,2,1), all without norm or bias,
/// LeakyReLU 0.2, zero padding → Conv1×1(8w→1). Between scales the input is reduced by
/// <c>AvgPool2d(3, stride 2, pad 1, count_include_pad = false)</c>.
/// </summary>
/// <remarks>State-dict keys: <c>cnns.{k}.{0..3}.conv.weight</c>, <c>cnns.{k}.4.weight</c>, <c>cnns.{k}.4.bias</c>.</remarks>
internal sealed class MultiScaleDiscriminator : Module<Tensor, IReadOnlyList<Tensor>>
{
    public const int Scales = 3;

    [ComponentName(Name = "cnns")]
    private readonly ModuleList<Sequential> _cnns;

    [ComponentName(Name = "downsample")]
    private readonly AvgPool2d _downsample;

    public MultiScaleDiscriminator(long width = 64)
        : base(nameof(MultiScaleDiscriminator))
    {
        _cnns = new ModuleList<Sequential>(Enumerable.Range(0, Scales).Select(_ => MakeScale(width)).ToArray());
        _downsample = AvgPool2d(3, stride: 2, padding: 1, count_include_pad: false);
        RegisterComponents();
    }

    /// <summary>Scores <c>[N, 3, H, W]</c> images at 3 scales.</summary>
    /// <returns>Fresh maps <c>[N, 1, H/16, W/16]</c>, <c>[N, 1, H/32, W/32]</c>, <c>[N, 1, H/64, W/64]</c> (sizes rounded as the convolutions do), owned by the caller.</returns>
    public override IReadOnlyList<Tensor> forward(Tensor input)
    {
        var outputs = new List<Tensor>(Scales);
        using var scope = NewDisposeScope();
        var x = input;
        for (var k = 0; k < Scales; k++)
        {
            outputs.Add(_cnns[k].forward(x).MoveToOuterDisposeScope());
            if (k + 1 < Scales)
            {
                x = _downsample.forward(x);
            }
        }

        return outputs;
    }

    private static Sequential MakeScale(long width)
    {
        var layers = new List<Module<Tensor, Tensor>>
        {
            new Conv2dBlock(3, width, 4, 2, 1, instanceNorm: false, BlockActivation.LeakyRelu, BlockPadding.Zero, bias: false),
        };
        var channels = width;
        for (var i = 0; i < 3; i++)
        {
            layers.Add(new Conv2dBlock(channels, 2 * channels, 4, 2, 1, instanceNorm: false, BlockActivation.LeakyRelu, BlockPadding.Zero, bias: false));
            channels *= 2;
        }

        layers.Add(Conv2d(channels, 1, 1));
        return Sequential(layers);
    }
}
