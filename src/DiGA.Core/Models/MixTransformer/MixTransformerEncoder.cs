using DiGA.Core.Foundation;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace DiGA.Core.Models.MixTransformer;

/// <summary>
/// The hierarchical Mix Transformer encoder of SegFormer: four stages, each an overlapping patch embedding, a stack of
/// pre-norm transformer blocks (efficient self-attention and Mix-FFN) and a LayerNorm; outputs at strides 4, 8, 16, 32.
/// </summary>
/// <remarks>
/// Keys follow the SegFormer/mmseg MiT checkpoints: <c>patch_embed{1..4}.{proj,norm}.*</c>, <c>block{1..4}.{j}.*</c>,
/// <c>norm{1..4}.*</c>. Stochastic depth rises linearly from 0 over all blocks to <c>dropPathRate</c> at the last one.
/// </remarks>
internal sealed class MixTransformerEncoder : Module<Tensor, Tensor[]>
{
    private readonly OverlapPatchEmbedding[] _embeddings;
    private readonly ModuleList<MixTransformerBlock>[] _blocks;
    private readonly LayerNorm[] _norms;

    public MixTransformerEncoder(IReadOnlyList<int> embedDims, IReadOnlyList<int> depths, IReadOnlyList<int> heads, IReadOnlyList<int> reductionRatios, int mlpRatio, double dropPathRate)
        : base(nameof(MixTransformerEncoder))
    {
        var total = depths.Sum();
        var block = 0;
        _embeddings = new OverlapPatchEmbedding[4];
        _blocks = new ModuleList<MixTransformerBlock>[4];
        _norms = new LayerNorm[4];
        for (var stage = 0; stage < 4; stage++)
        {
            var inputs = stage == 0 ? 3 : embedDims[stage - 1];
            _embeddings[stage] = stage == 0
                ? new OverlapPatchEmbedding(inputs, embedDims[stage], kernel: 7, stride: 4)
                : new OverlapPatchEmbedding(inputs, embedDims[stage], kernel: 3, stride: 2);
            _blocks[stage] = new ModuleList<MixTransformerBlock>();
            for (var j = 0; j < depths[stage]; j++, block++)
            {
                var rate = total > 1 ? dropPathRate * block / (total - 1) : 0.0;
                _blocks[stage].Add(new MixTransformerBlock(embedDims[stage], heads[stage], reductionRatios[stage], mlpRatio, rate));
            }

            _norms[stage] = LayerNorm(embedDims[stage], eps: 1e-6);
            register_module($"patch_embed{stage + 1}", _embeddings[stage]);
            register_module($"block{stage + 1}", _blocks[stage]);
            register_module($"norm{stage + 1}", _norms[stage]);
        }
    }

    /// <summary>Runs the four stages.</summary>
    /// <param name="input">Images <c>[N, 3, H, W]</c>; not disposed.</param>
    /// <returns>Fresh feature maps <c>[N, C_i, H_i, W_i]</c> at strides 4, 8, 16, 32 (each <c>H_i = ⌊(H_{i−1} − 1)/s⌋ + 1</c>), owned by the caller.</returns>
    public override Tensor[] forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var outputs = new Tensor[4];
        var x = input;
        for (var stage = 0; stage < 4; stage++)
        {
            var (tokens, height, width) = _embeddings[stage].Embed(x);
            foreach (var block in _blocks[stage])
            {
                tokens = block.Forward(tokens, height, width);
            }

            tokens = _norms[stage].forward(tokens);
            x = tokens.transpose(1, 2).reshape(tokens.shape[0], -1, height, width).contiguous();
            outputs[stage] = x;
        }

        foreach (var output in outputs)
        {
            output.MoveToOuterDisposeScope();
        }

        return outputs;
    }
}

/// <summary>Overlapping patch embedding: a k×k convolution with stride s and padding ⌊k/2⌋, flattened to tokens, then LayerNorm (eps 1e-5). Keys <c>proj.*</c>, <c>norm.*</c>.</summary>
internal sealed class OverlapPatchEmbedding : Module<Tensor, Tensor>
{
    [ComponentName(Name = "proj")]
    private readonly Conv2d _proj;

    [ComponentName(Name = "norm")]
    private readonly LayerNorm _norm;

    public OverlapPatchEmbedding(long inChannels, long embedDim, int kernel, int stride)
        : base(nameof(OverlapPatchEmbedding))
    {
        _proj = Conv2d(inChannels, embedDim, kernel_size: kernel, stride: stride, padding: kernel / 2, bias: true);
        _norm = LayerNorm(embedDim, eps: 1e-5);
        RegisterComponents();
    }

    /// <summary>Embeds <c>[N, C, H, W]</c> into tokens <c>[N, h·w, D]</c> (row-major) and returns h and w.</summary>
    public (Tensor Tokens, long Height, long Width) Embed(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = BlockAlignedConvolution.Forward(_proj, input);
        var (height, width) = (x.shape[2], x.shape[3]);
        var tokens = _norm.forward(x.flatten(2).transpose(1, 2));
        return (tokens.MoveToOuterDisposeScope(), height, width);
    }

    public override Tensor forward(Tensor input)
    {
        var (tokens, _, _) = Embed(input);
        return tokens;
    }
}

/// <summary>A pre-norm MiT block: <c>x + DropPath(Attn(LN₁(x)))</c>, then <c>x + DropPath(MixFFN(LN₂(x)))</c>; LayerNorms eps 1e-6. Keys <c>norm1</c>, <c>attn</c>, <c>norm2</c>, <c>mlp</c>.</summary>
internal sealed class MixTransformerBlock : Module<Tensor, Tensor>
{
    [ComponentName(Name = "norm1")]
    private readonly LayerNorm _norm1;

    [ComponentName(Name = "attn")]
    private readonly EfficientSelfAttention _attn;

    [ComponentName(Name = "norm2")]
    private readonly LayerNorm _norm2;

    [ComponentName(Name = "mlp")]
    private readonly MixFeedForward _mlp;

    private readonly double _dropPath;

    public MixTransformerBlock(long dim, int heads, int reductionRatio, int mlpRatio, double dropPath)
        : base(nameof(MixTransformerBlock))
    {
        _norm1 = LayerNorm(dim, eps: 1e-6);
        _attn = new EfficientSelfAttention(dim, heads, reductionRatio);
        _norm2 = LayerNorm(dim, eps: 1e-6);
        _mlp = new MixFeedForward(dim, dim * mlpRatio);
        _dropPath = dropPath;
        RegisterComponents();
    }

    /// <summary>Gets the stochastic-depth probability of the block's two residual branches.</summary>
    public double DropPathRate => _dropPath;

    /// <summary>Runs the block on tokens <c>[N, h·w, D]</c>.</summary>
    public Tensor Forward(Tensor tokens, long height, long width)
    {
        using var scope = NewDisposeScope();
        var x = tokens.add(DropPath(_attn.Forward(_norm1.forward(tokens), height, width)), Scalars.One);
        x = x.add(DropPath(_mlp.Forward(_norm2.forward(x), height, width)), Scalars.One);
        return x.MoveToOuterDisposeScope();
    }

    public override Tensor forward(Tensor input) =>
        throw new NotSupportedException("A MiT block needs the token grid size; call Forward(tokens, height, width).");

    /// <summary>
    /// Stochastic depth: in training, zeroes the branch of a whole sample with probability p and scales the kept ones by
    /// 1/(1 − p); the mask comes from <see cref="DropoutRandom.Current"/>, else from libtorch's default generator.
    /// </summary>
    private Tensor DropPath(Tensor branch)
    {
        if (!training || _dropPath <= 0.0)
        {
            return branch;
        }

        var keep = 1.0 - _dropPath;
        using var mask = empty([branch.shape[0], 1, 1], branch.dtype, branch.device).bernoulli_(keep, DropoutRandom.Current);
        using var keepScalar = Scalars.Create(keep);
        return branch.div(keepScalar).mul_(mask);
    }
}

/// <summary>
/// Efficient self-attention: queries from every token, keys and values from the tokens spatially reduced by a
/// ratio-R convolution (kernel = stride = R) and a LayerNorm (eps 1e-5) when R &gt; 1; scaled dot-product attention per
/// head; output projection. Keys <c>q</c>, <c>kv</c> (keys then values, <c>[2D, D]</c>), <c>proj</c>, <c>sr</c>, <c>norm</c>.
/// </summary>
internal sealed class EfficientSelfAttention : Module<Tensor, Tensor>
{
    [ComponentName(Name = "q")]
    private readonly Linear _q;

    [ComponentName(Name = "kv")]
    private readonly Linear _kv;

    [ComponentName(Name = "proj")]
    private readonly Linear _proj;

    [ComponentName(Name = "sr")]
    private readonly Conv2d? _sr;

    [ComponentName(Name = "norm")]
    private readonly LayerNorm? _norm;

    private readonly long _dim;
    private readonly long _heads;
    private readonly double _scale;

    public EfficientSelfAttention(long dim, int heads, int reductionRatio)
        : base(nameof(EfficientSelfAttention))
    {
        if (dim % heads != 0)
        {
            throw new ArgumentException($"The embedding dimension {dim} is not a multiple of the head count {heads}.", nameof(heads));
        }

        _dim = dim;
        _heads = heads;
        _scale = 1.0 / Math.Sqrt(dim / heads);
        _q = Linear(dim, dim, hasBias: true);
        _kv = Linear(dim, dim * 2, hasBias: true);
        _proj = Linear(dim, dim, hasBias: true);
        if (reductionRatio > 1)
        {
            _sr = Conv2d(dim, dim, kernel_size: reductionRatio, stride: reductionRatio, bias: true);
            _norm = LayerNorm(dim, eps: 1e-5);
        }

        RegisterComponents();
    }

    /// <summary>Attends over tokens <c>[N, h·w, D]</c> laid out on an h×w grid.</summary>
    public Tensor Forward(Tensor tokens, long height, long width)
    {
        using var scope = NewDisposeScope();
        var (batch, count) = (tokens.shape[0], tokens.shape[1]);
        var headDim = _dim / _heads;
        var q = _q.forward(tokens).reshape(batch, count, _heads, headDim).permute(0, 2, 1, 3);
        var context = tokens;
        if (_sr is not null)
        {
            var grid = tokens.transpose(1, 2).reshape(batch, _dim, height, width);
            context = _norm!.forward(BlockAlignedConvolution.Forward(_sr, grid).flatten(2).transpose(1, 2));
        }

        var kv = _kv.forward(context).reshape(batch, -1, 2, _heads, headDim).permute(2, 0, 3, 1, 4);
        var (k, v) = (kv[0], kv[1]);
        using var scale = Scalars.Create(_scale);
        var attention = q.matmul(k.transpose(-2, -1)).mul_(scale).softmax(-1);
        var x = attention.matmul(v).transpose(1, 2).reshape(batch, count, _dim);
        return _proj.forward(x).MoveToOuterDisposeScope();
    }

    public override Tensor forward(Tensor input) =>
        throw new NotSupportedException("Efficient self-attention needs the token grid size; call Forward(tokens, height, width).");
}

/// <summary>Mix-FFN: <c>fc2(GELU(DWConv3×3(fc1(x))))</c>, the depthwise convolution on the token grid. Keys <c>fc1</c>, <c>dwconv.dwconv</c>, <c>fc2</c>.</summary>
internal sealed class MixFeedForward : Module<Tensor, Tensor>
{
    [ComponentName(Name = "fc1")]
    private readonly Linear _fc1;

    [ComponentName(Name = "dwconv")]
    private readonly DepthwiseConvolution _dwconv;

    [ComponentName(Name = "fc2")]
    private readonly Linear _fc2;

    public MixFeedForward(long dim, long hidden)
        : base(nameof(MixFeedForward))
    {
        _fc1 = Linear(dim, hidden, hasBias: true);
        _dwconv = new DepthwiseConvolution(hidden);
        _fc2 = Linear(hidden, dim, hasBias: true);
        RegisterComponents();
    }

    /// <summary>Runs the block on tokens <c>[N, h·w, D]</c>.</summary>
    public Tensor Forward(Tensor tokens, long height, long width)
    {
        using var scope = NewDisposeScope();
        var x = _fc1.forward(tokens);
        var (batch, channels) = (x.shape[0], x.shape[2]);
        // The token-major grid is a channels-last view: no copy, and oneDNN's channels-last depthwise kernel, whose backward
        // pass is 4–12× faster than the NCHW one once N > 1 (stages 2 and 3 of MiT-B5 at 512×512).
        var grid = x.view(batch, height, width, channels).permute(0, 3, 1, 2);
        x = functional.gelu(_dwconv.forward(grid)).flatten(2).transpose(1, 2);
        return _fc2.forward(x).MoveToOuterDisposeScope();
    }

    public override Tensor forward(Tensor input) =>
        throw new NotSupportedException("Mix-FFN needs the token grid size; call Forward(tokens, height, width).");
}

/// <summary>A 3×3 depthwise convolution with bias, padding 1, under key <c>dwconv</c> (so the weight is <c>dwconv.dwconv.weight</c> in Mix-FFN).</summary>
internal sealed class DepthwiseConvolution : Module<Tensor, Tensor>
{
    [ComponentName(Name = "dwconv")]
    private readonly Conv2d _dwconv;

    public DepthwiseConvolution(long channels)
        : base(nameof(DepthwiseConvolution))
    {
        _dwconv = Conv2d(channels, channels, kernel_size: 3, padding: 1, groups: channels, bias: true);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => BlockAlignedConvolution.Forward(_dwconv, input);
}
