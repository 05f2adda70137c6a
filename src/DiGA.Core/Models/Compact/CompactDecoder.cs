using DiGA.Core.Foundation;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace DiGA.Core.Models.Compact;

/// <summary>
/// The compact model's decoder: a light multi-rate context head at output stride 4 with a skip from the stride-4 trunk
/// feature, and a fusion with the stride-2 stem feature that gives the features and logits at output stride 2.
/// </summary>
/// <remarks>
/// With w the trunk width and f the feature channels: branches <c>ReLU(norm(conv(x)))</c> of a 1×1 and one 3×3 convolution
/// per atrous rate (w each) and an image-pool branch (global mean → 1×1 convolution with bias → ReLU, broadcast), concatenated
/// with the stride-4 skip (w) → <c>project</c> 1×1 to 2w → <c>refine</c> 3×3 to w → bilinear resize to the stem feature's
/// size (×2, align_corners = false, <see cref="BilinearResize"/>) → concatenated with the stem feature (w/2) → <c>fuse</c>
/// 1×1 to f = <b>features</b> (after the channel dropout <see cref="FeatureDropout"/>) → 1×1 classifier with bias =
/// <b>logits</b>.
/// Keys: <c>branches.{i}.{0 conv,1 norm}</c>, <c>pool.0</c>, <c>project.{0,1}</c>, <c>refine.{0,1}</c>, <c>fuse.{0,1}</c>,
/// <c>classifier</c>.
/// </remarks>
internal sealed class CompactDecoder : Module<Tensor, Tensor, Tensor, (Tensor Logits, Tensor Features)>
{
    [ComponentName(Name = "branches")]
    private readonly ModuleList<Sequential> _branches;

    [ComponentName(Name = "pool")]
    private readonly Sequential _pool;

    [ComponentName(Name = "project")]
    private readonly Sequential _project;

    [ComponentName(Name = "refine")]
    private readonly Sequential _refine;

    [ComponentName(Name = "fuse")]
    private readonly Sequential _fuse;

    [ComponentName(Name = "dropout")]
    private readonly FeatureDropout _dropout;

    [ComponentName(Name = "classifier")]
    private readonly Conv2d _classifier;

    public CompactDecoder(long width, long stemChannels, long featureChannels, IReadOnlyList<int> atrousRates, long classes, double dropout, Func<long, Module<Tensor, Tensor>> norm)
        : base(nameof(CompactDecoder))
    {
        _branches = new ModuleList<Sequential>();
        _branches.Add(Sequential(Conv2d(width, width, kernel_size: 1, bias: false), norm(width), ReLU()));
        foreach (var rate in atrousRates)
        {
            _branches.Add(Sequential(Conv2d(width, width, kernel_size: 3, padding: rate, dilation: rate, bias: false), norm(width), ReLU()));
        }

        _pool = Sequential(Conv2d(width, width, kernel_size: 1, bias: true), ReLU());
        var concatenated = width * (atrousRates.Count + 3);
        _project = Sequential(Conv2d(concatenated, 2 * width, kernel_size: 1, bias: false), norm(2 * width), ReLU());
        _refine = Sequential(Conv2d(2 * width, width, kernel_size: 3, padding: 1, bias: false), norm(width), ReLU());
        _fuse = Sequential(Conv2d(width + stemChannels, featureChannels, kernel_size: 1, bias: false), norm(featureChannels), ReLU());
        _dropout = new FeatureDropout(dropout);
        _classifier = Conv2d(featureChannels, classes, kernel_size: 1, bias: true);
        RegisterComponents();
    }

    /// <summary>Gets the 1×1 classifier.</summary>
    public Conv2d Classifier => _classifier;

    /// <summary>Decodes the context feature <paramref name="context"/> and the skip <paramref name="skip"/> (both stride 4) with the stem feature <paramref name="stem"/> (stride 2).</summary>
    public override (Tensor Logits, Tensor Features) forward(Tensor context, Tensor skip, Tensor stem)
    {
        using var scope = NewDisposeScope();
        var outputs = new Tensor[_branches.Count + 2];
        for (var i = 0; i < _branches.Count; i++)
        {
            outputs[i] = BlockAlignedConvolution.Forward(_branches[i], context);
        }

        var pooled = BlockAlignedConvolution.Forward(_pool, context.mean([2, 3], keepdim: true));
        outputs[^2] = pooled.expand(-1, -1, context.shape[2], context.shape[3]);
        outputs[^1] = skip;
        var x = BlockAlignedConvolution.Forward(_refine, BlockAlignedConvolution.Forward(_project, cat(outputs, 1)));
        x = BilinearResize.Apply(x, stem.shape[2], stem.shape[3], alignCorners: false);
        var features = _dropout.forward(BlockAlignedConvolution.Forward(_fuse, cat([x, stem], 1)));
        var logits = BlockAlignedConvolution.Forward(_classifier, features);
        return (logits.MoveToOuterDisposeScope(), features.MoveToOuterDisposeScope());
    }
}
