using DiGA.Core.Foundation;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace DiGA.Core.Models.DeepLab;

/// <summary>
/// DeepLabV2 (ResNet-50/101, output stride 8) with the ASPP + SE head. Top-level keys: <c>conv1</c>, <c>bn1</c>,
/// <c>layer1</c> … <c>layer4</c> (backbone, reference names) and <c>layer5</c> (head, see <see cref="AsppSeHead"/>).
/// </summary>
internal sealed class DeepLabV2Network : Module<Tensor, (Tensor Logits, Tensor Features)>
{
    [ComponentName(Name = "conv1")]
    private readonly Conv2d _conv1;

    [ComponentName(Name = "bn1")]
    private readonly ScalarSafeBatchNorm2d _bn1;

    [ComponentName(Name = "layer1")]
    private readonly Sequential _layer1;

    [ComponentName(Name = "layer2")]
    private readonly Sequential _layer2;

    [ComponentName(Name = "layer3")]
    private readonly Sequential _layer3;

    [ComponentName(Name = "layer4")]
    private readonly Sequential _layer4;

    [ComponentName(Name = "layer5")]
    private readonly AsppSeHead _layer5;

    private readonly MaxPool2d _maxPool;

    public DeepLabV2Network(IReadOnlyList<int> blocks, long width, long headChannels, IReadOnlyList<int> atrousRates, long classes, double dropout)
        : base(nameof(DeepLabV2Network))
    {
        _conv1 = Conv2d(3, width, kernel_size: 7, stride: 2, padding: 3, bias: false);
        _bn1 = DeepLabBottleneck.FrozenBatchNorm(width);
        _maxPool = MaxPool2d(kernel_size: 3, stride: 2, padding: 1, ceil_mode: true);
        var inChannels = width;
        _layer1 = MakeLayer(ref inChannels, width, blocks[0], stride: 1, dilation: 1);
        _layer2 = MakeLayer(ref inChannels, width * 2, blocks[1], stride: 2, dilation: 1);
        _layer3 = MakeLayer(ref inChannels, width * 4, blocks[2], stride: 1, dilation: 2);
        _layer4 = MakeLayer(ref inChannels, width * 8, blocks[3], stride: 1, dilation: 4);
        _layer5 = new AsppSeHead(inChannels, headChannels, atrousRates, groups: 32, classes, dropout, seReduction: 16);
        RegisterComponents();
    }

    /// <summary>Gets the head.</summary>
    public AsppSeHead Head => _layer5;

    /// <summary>Gets the backbone modules in order: conv1, bn1, layer1 … layer4.</summary>
    public IEnumerable<Module> BackboneModules => [_conv1, _bn1, _layer1, _layer2, _layer3, _layer4];

    private static Sequential MakeLayer(ref long inChannels, long planes, int count, long stride, long dilation)
    {
        var layer = Sequential();
        for (var i = 0; i < count; i++)
        {
            layer.append(new DeepLabBottleneck(inChannels, planes, i == 0 ? stride : 1, dilation, withDownsample: i == 0));
            inChannels = planes * DeepLabBottleneck.Expansion;
        }

        return layer;
    }

    /// <remarks>Each block's input is released once the block has run (autograd keeps what it needs), so a forward pass without
    /// gradients holds one block's activations at a time.</remarks>
    public override (Tensor Logits, Tensor Features) forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = DeepLabBottleneck.NormalizeRelu(BlockAlignedConvolution.Forward(_conv1, input), _bn1);
        var blocks = new[] { _layer1, _layer2, _layer3, _layer4 }.SelectMany(layer => layer.children().Cast<Module<Tensor, Tensor>>());
        foreach (var next in blocks.Prepend(_maxPool))
        {
            using var previous = x;
            x = next.forward(previous);
        }

        using var backbone = x;
        var (logits, features) = _layer5.forward(backbone);
        return (logits.MoveToOuterDisposeScope(), features.MoveToOuterDisposeScope());
    }
}
