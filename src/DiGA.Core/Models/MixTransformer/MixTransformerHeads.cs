using DiGA.Core.Foundation;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace DiGA.Core.Models.MixTransformer;

/// <summary>A decoder over the four MiT feature maps; returns logits and the classifier's input features at stride 4.</summary>
internal abstract class MixTransformerHead : Module<Tensor[], (Tensor Logits, Tensor Features)>
{
    protected MixTransformerHead(string name)
        : base(name)
    {
    }

    /// <summary>Gets the 1×1 classifier.</summary>
    public abstract Conv2d Classifier { get; }

    /// <summary>Embeds a feature map <c>[N, C, h, w]</c> per pixel with <paramref name="linear"/> and resizes it bilinearly (<c>align_corners = false</c>) to <paramref name="size"/>.</summary>
    protected static Tensor EmbedAndResize(TokenProjection linear, Tensor feature, long[] size)
    {
        using var scope = NewDisposeScope();
        var (batch, height, width) = (feature.shape[0], feature.shape[2], feature.shape[3]);
        var x = linear.forward(feature.flatten(2).transpose(1, 2)).transpose(1, 2).reshape(batch, -1, height, width);
        if (height != size[0] || width != size[1])
        {
            x = functional.interpolate(x, size, mode: InterpolationMode.Bilinear, align_corners: false);
        }

        return x.MoveToOuterDisposeScope();
    }
}

/// <summary>A per-token linear layer under key <c>proj</c> (the <c>MLP</c> embedding of the SegFormer and DAFormer heads).</summary>
internal sealed class TokenProjection : Module<Tensor, Tensor>
{
    [ComponentName(Name = "proj")]
    private readonly Linear _proj;

    public TokenProjection(long inputs, long outputs)
        : base(nameof(TokenProjection))
    {
        _proj = Linear(inputs, outputs, hasBias: true);
        RegisterComponents();
    }

    /// <summary>Gets the linear layer.</summary>
    public Linear Linear => _proj;

    public override Tensor forward(Tensor input) => _proj.forward(input);
}

/// <summary>Convolution (no bias) + BatchNorm + ReLU under keys <c>conv</c> and <c>bn</c> (mmcv's <c>ConvModule</c>).</summary>
internal sealed class ConvBatchNormRelu : Module<Tensor, Tensor>
{
    [ComponentName(Name = "conv")]
    private readonly Conv2d _conv;

    [ComponentName(Name = "bn")]
    private readonly ScalarSafeBatchNorm2d _bn;

    public ConvBatchNormRelu(long inputs, long outputs, int kernel, int dilation = 1, bool depthwise = false)
        : base(nameof(ConvBatchNormRelu))
    {
        var padding = kernel == 1 ? 0 : dilation * (kernel / 2);
        _conv = Conv2d(inputs, outputs, kernel_size: kernel, padding: padding, dilation: dilation, groups: depthwise ? inputs : 1, bias: false);
        _bn = new ScalarSafeBatchNorm2d(outputs);
        RegisterComponents();
    }

    /// <summary>Gets the convolution.</summary>
    public Conv2d Convolution => _conv;

    /// <summary>Gets the BatchNorm.</summary>
    public ScalarSafeBatchNorm2d BatchNorm => _bn;

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return functional.relu(_bn.forward(BlockAlignedConvolution.Forward(_conv, input))).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// The SegFormer all-MLP decoder: each level <c>c_i</c> is embedded per pixel to E channels (<c>linear_c{i}.proj</c>) and
/// resized to stride 4; the four are concatenated as <c>[c4, c3, c2, c1]</c>, fused by a 1×1 convolution + BN + ReLU
/// (<c>linear_fuse.{conv,bn}</c>) = features after <see cref="FeatureDropout"/>; logits by a 1×1 convolution with bias
/// (<c>linear_pred</c>).
/// </summary>
internal sealed class SegFormerHead : MixTransformerHead
{
    private readonly TokenProjection[] _linears;

    [ComponentName(Name = "linear_fuse")]
    private readonly ConvBatchNormRelu _linearFuse;

    [ComponentName(Name = "dropout")]
    private readonly FeatureDropout _dropout;

    [ComponentName(Name = "linear_pred")]
    private readonly Conv2d _linearPred;

    public SegFormerHead(IReadOnlyList<int> inChannels, long embedDim, long classes, double dropout)
        : base(nameof(SegFormerHead))
    {
        _linears = [.. inChannels.Select(c => new TokenProjection(c, embedDim))];
        _linearFuse = new ConvBatchNormRelu(embedDim * 4, embedDim, kernel: 1);
        _dropout = new FeatureDropout(dropout);
        _linearPred = Conv2d(embedDim, classes, kernel_size: 1, bias: true);
        RegisterComponents();
        for (var i = 0; i < _linears.Length; i++)
        {
            register_module($"linear_c{i + 1}", _linears[i]);
        }
    }

    public override Conv2d Classifier => _linearPred;

    /// <summary>Gets the convolutions with ReLU after them (Kaiming initialisation).</summary>
    public IEnumerable<ConvBatchNormRelu> ConvModules => [_linearFuse];

    public override (Tensor Logits, Tensor Features) forward(Tensor[] input)
    {
        using var scope = NewDisposeScope();
        var size = new[] { input[0].shape[2], input[0].shape[3] };
        var embedded = new Tensor[4];
        for (var i = 0; i < 4; i++)
        {
            embedded[3 - i] = EmbedAndResize(_linears[i], input[i], size);
        }

        var features = _dropout.forward(_linearFuse.forward(cat(embedded, 1)));
        var logits = _linearPred.forward(features);
        return (logits.MoveToOuterDisposeScope(), features.MoveToOuterDisposeScope());
    }
}

/// <summary>
/// The DAFormer context-aware fusion decoder (<c>daformer_sepaspp</c>): each level is embedded per pixel to E channels
/// (<c>embed_layers.{i}.proj</c>) and resized to stride 4; the four are concatenated as <c>[c1, c2, c3, c4]</c> and fused by
/// parallel branches (<c>fuse_layer.aspp_modules</c>: dilation 1 = 1×1 conv + BN + ReLU; dilations 6, 12, 18 = depthwise
/// 3×3 dilated conv + BN + ReLU then 1×1 conv + BN + ReLU, keys <c>depthwise_conv</c>/<c>pointwise_conv</c>), concatenated,
/// and a 3×3 conv + BN + ReLU bottleneck (<c>fuse_layer.bottleneck</c>) = features after <see cref="FeatureDropout"/>;
/// logits by a 1×1 convolution with bias (<c>conv_seg</c>).
/// </summary>
internal sealed class DAFormerHead : MixTransformerHead
{
    [ComponentName(Name = "embed_layers")]
    private readonly ModuleList<TokenProjection> _embedLayers;

    [ComponentName(Name = "fuse_layer")]
    private readonly SeparableAsppFusion _fuseLayer;

    [ComponentName(Name = "dropout")]
    private readonly FeatureDropout _dropout;

    [ComponentName(Name = "conv_seg")]
    private readonly Conv2d _convSeg;

    public DAFormerHead(IReadOnlyList<int> inChannels, long embedDim, long channels, IReadOnlyList<int> dilations, long classes, double dropout)
        : base(nameof(DAFormerHead))
    {
        _embedLayers = new ModuleList<TokenProjection>([.. inChannels.Select(c => new TokenProjection(c, embedDim))]);
        _fuseLayer = new SeparableAsppFusion(embedDim * inChannels.Count, channels, dilations);
        _dropout = new FeatureDropout(dropout);
        _convSeg = Conv2d(channels, classes, kernel_size: 1, bias: true);
        RegisterComponents();
    }

    public override Conv2d Classifier => _convSeg;

    /// <summary>Gets the convolutions with BN + ReLU after them (Kaiming initialisation).</summary>
    public IEnumerable<ConvBatchNormRelu> ConvModules => _fuseLayer.ConvModules;

    public override (Tensor Logits, Tensor Features) forward(Tensor[] input)
    {
        using var scope = NewDisposeScope();
        var size = new[] { input[0].shape[2], input[0].shape[3] };
        var embedded = new Tensor[_embedLayers.Count];
        for (var i = 0; i < embedded.Length; i++)
        {
            embedded[i] = EmbedAndResize(_embedLayers[i], input[i], size);
        }

        var features = _dropout.forward(_fuseLayer.forward(cat(embedded, 1)));
        var logits = _convSeg.forward(features);
        return (logits.MoveToOuterDisposeScope(), features.MoveToOuterDisposeScope());
    }
}

/// <summary>The depthwise-separable ASPP fusion of DAFormer without image pooling: keys <c>aspp_modules.{i}</c> and <c>bottleneck</c>.</summary>
internal sealed class SeparableAsppFusion : Module<Tensor, Tensor>
{
    [ComponentName(Name = "aspp_modules")]
    private readonly ModuleList<Module<Tensor, Tensor>> _branches;

    [ComponentName(Name = "bottleneck")]
    private readonly ConvBatchNormRelu _bottleneck;

    public SeparableAsppFusion(long inputs, long channels, IReadOnlyList<int> dilations)
        : base(nameof(SeparableAsppFusion))
    {
        _branches = new ModuleList<Module<Tensor, Tensor>>();
        foreach (var dilation in dilations)
        {
            _branches.Add(dilation == 1
                ? new ConvBatchNormRelu(inputs, channels, kernel: 1)
                : new DepthwiseSeparableConvolution(inputs, channels, dilation));
        }

        _bottleneck = new ConvBatchNormRelu(channels * dilations.Count, channels, kernel: 3);
        RegisterComponents();
    }

    /// <summary>Gets every conv + BN + ReLU unit.</summary>
    public IEnumerable<ConvBatchNormRelu> ConvModules =>
        _branches.SelectMany(b => b is DepthwiseSeparableConvolution s ? s.ConvModules : [(ConvBatchNormRelu)b]).Append(_bottleneck);

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var outputs = _branches.Select(b => b.forward(input)).ToArray();
        return _bottleneck.forward(cat(outputs, 1)).MoveToOuterDisposeScope();
    }
}

/// <summary>A depthwise 3×3 dilated conv + BN + ReLU (<c>depthwise_conv</c>) followed by a 1×1 conv + BN + ReLU (<c>pointwise_conv</c>).</summary>
internal sealed class DepthwiseSeparableConvolution : Module<Tensor, Tensor>
{
    [ComponentName(Name = "depthwise_conv")]
    private readonly ConvBatchNormRelu _depthwise;

    [ComponentName(Name = "pointwise_conv")]
    private readonly ConvBatchNormRelu _pointwise;

    public DepthwiseSeparableConvolution(long inputs, long outputs, int dilation)
        : base(nameof(DepthwiseSeparableConvolution))
    {
        _depthwise = new ConvBatchNormRelu(inputs, inputs, kernel: 3, dilation: dilation, depthwise: true);
        _pointwise = new ConvBatchNormRelu(inputs, outputs, kernel: 1);
        RegisterComponents();
    }

    /// <summary>Gets the two units.</summary>
    public IEnumerable<ConvBatchNormRelu> ConvModules => [_depthwise, _pointwise];

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return _pointwise.forward(_depthwise.forward(input)).MoveToOuterDisposeScope();
    }
}
