using DiGA.Core.Foundation;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace DiGA.Core.Models.DeepLab;

/// <summary>
/// The ASPP + squeeze-excitation decoder head of <see cref="DeepLabV2"/> (its <c>layer5</c>).
/// </summary>
/// <remarks>
/// <c>b_i = ReLU(GN(conv_i(x)))</c> for a 1×1 branch and one 3×3 branch per atrous rate; <c>z = SE(concat b_i)</c>;
/// <c>features = FeatureDropout(GN(Conv3x3(z)))</c> (no ReLU; <see cref="FeatureDropout"/> has Dropout2d semantics);
/// <c>logits = Conv1x1(features)</c> without bias.
/// State-dict keys: <c>conv2d_list.{i}.{0 conv,1 gn}</c>, <c>bottleneck.0.se.{0,2}</c> (SE linears),
/// <c>bottleneck.{1 conv,2 gn}</c>, <c>head.1.weight</c> (classifier).
/// <para>The branches read a channels-last copy of the input (the 1×1 branch is then a matrix product, see
/// <see cref="BlockAlignedConvolution"/>). On CPU, oneDNN runs a 3×3 convolution whose dilation
/// is close to the size of its input (rates 12–24 on the 33×57 map of a 256×448 crop) with its im2col + GEMM fallback
/// when the input is NCHW, and with a direct kernel, 1.4–2.4× faster forward and backward, when it is channels-last.</para>
/// </remarks>
internal sealed class AsppSeHead : Module<Tensor, (Tensor Logits, Tensor Features)>
{
    [ComponentName(Name = "conv2d_list")]
    private readonly ModuleList<Sequential> _branches;

    [ComponentName(Name = "bottleneck")]
    private readonly Sequential _bottleneck;

    [ComponentName(Name = "head")]
    private readonly Sequential _head;

    public AsppSeHead(long inChannels, long channels, IReadOnlyList<int> atrousRates, long groups, long classes, double dropout, long seReduction)
        : base(nameof(AsppSeHead))
    {
        _branches = new ModuleList<Sequential>();
        _branches.Add(Sequential(Conv2d(inChannels, channels, kernel_size: 1, bias: true), GroupNorm(groups, channels), ReLU(inplace: true)));
        foreach (var rate in atrousRates)
        {
            _branches.Add(Sequential(Conv2d(inChannels, channels, kernel_size: 3, padding: rate, dilation: rate, bias: true), GroupNorm(groups, channels), ReLU(inplace: true)));
        }

        var concatenated = channels * (atrousRates.Count + 1);
        _bottleneck = Sequential(
            new SqueezeExcitation(concatenated, concatenated / seReduction),
            Conv2d(concatenated, channels, kernel_size: 3, padding: 1, bias: true),
            GroupNorm(groups, channels));
        _head = Sequential(new FeatureDropout(dropout), Conv2d(channels, classes, kernel_size: 1, bias: false));
        RegisterComponents();
    }

    /// <summary>Gets the 3×3 and 1×1 branch convolutions (ASPP).</summary>
    public IEnumerable<Conv2d> BranchConvolutions => _branches.Select(b => (Conv2d)b[0]);

    /// <summary>Gets the 3×3 fusion convolution after the SE block.</summary>
    public Conv2d FusionConvolution => (Conv2d)_bottleneck[1];

    /// <summary>Gets the squeeze-excitation block.</summary>
    public SqueezeExcitation SqueezeExcitation => (SqueezeExcitation)_bottleneck[0];

    /// <summary>Gets the 1×1 classifier.</summary>
    public Conv2d Classifier => (Conv2d)_head[1];

    public override (Tensor Logits, Tensor Features) forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var channelsLast = BlockAlignedConvolution.ChannelsLast(input);
        var outputs = new Tensor[_branches.Count];
        for (var i = 0; i < outputs.Length; i++)
        {
            outputs[i] = BlockAlignedConvolution.Forward(_branches[i], channelsLast);
        }

        var fused = BlockAlignedConvolution.Forward(_bottleneck, cat(outputs, 1));
        var features = _head[0].call(fused);
        var logits = _head[1].call(features);
        return (logits.MoveToOuterDisposeScope(), features.MoveToOuterDisposeScope());
    }
}
