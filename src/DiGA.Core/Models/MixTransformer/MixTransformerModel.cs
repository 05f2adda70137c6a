using DiGA.Core.Foundation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiGA.Core.Models.MixTransformer;

/// <summary>
/// A SegFormer Mix Transformer encoder (MiT-B0 … B5) with the DAFormer context-aware fusion decoder or the SegFormer
/// all-MLP decoder: <c>Forward</c> returns logits <c>[N, C, h, w]</c> and features <c>[N, D, h, w]</c> at output stride 4
/// (<c>h = ⌊(H − 1)/4⌋ + 1</c>), D being <see cref="MixTransformerOptions.DecoderChannels"/>.
/// </summary>
/// <remarks>
/// <para>The features are the fused decoder output that enters the classifier (after the channel dropout, the identity in
/// eval mode); class centroids are computed from them. State-dictionary keys are those of mmseg/DAFormer segmentation
/// checkpoints: <c>backbone.patch_embed1.proj.weight</c>, <c>backbone.block1.0.attn.kv.weight</c>, …, <c>decode_head.*</c>.</para>
/// <para>Initialisation (seeded by <see cref="MixTransformerOptions.Seed"/>): encoder linears N(0, 0.02) with zero bias,
/// convolutions N(0, 2/fan-out) with zero bias, LayerNorms 1 and 0; decoder embeddings PyTorch-default uniform, conv + BN
/// units Kaiming-normal (fan-out) and BN 1 and 0, classifier N(0, 0.01) with zero bias. Created in training mode.</para>
/// <para>Not thread-safe. Disposing the model disposes its parameters and buffers.</para>
/// </remarks>
public sealed class MixTransformerModel : ISegmentationModel
{
    private readonly MixTransformerOptions _options;
    private readonly MixTransformerNetwork _network;
    private readonly Device _device;

    /// <summary>Initialises a new, randomly initialised model on the device of <paramref name="options"/>.</summary>
    /// <param name="options">The options; <see langword="null"/> builds DAFormer with MiT-B5 for 19 classes.</param>
    /// <param name="logger">An optional logger.</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public MixTransformerModel(MixTransformerOptions? options = null, ILogger<MixTransformerModel>? logger = null)
        : this((options ?? new MixTransformerOptions()).Copy(), initialize: true)
    {
        (logger ?? NullLogger<MixTransformerModel>.Instance).LogDebug(
            "Created {Architecture} (width {Width}, {Classes} classes, {Parameters} parameters) on {Device}.",
            Info.Architecture, _options.Width, Info.ClassCount, _network.parameters().Sum(p => p.numel()), _device);
    }

    private MixTransformerModel(MixTransformerOptions options, bool initialize)
    {
        options.Validate();
        options.Width = options.ResolvedWidth;
        options.DecoderChannels = options.ResolvedDecoderChannels;
        _options = options;
        _device = TorchDevices.Resolve(options.Device);
        _network = new MixTransformerNetwork(options);
        if (initialize)
        {
            Initialize(options.Seed);
        }

        _network.to(_device);
        _network.train();
        Info = new SegmentationModelInfo(
            MixTransformerArchitecture.NameOf(options.Variant, options.Decoder),
            [.. options.ClassNames],
            options.ResolvedDecoderChannels,
            OutputStride: 4,
            options.InputNormalization);
    }

    /// <inheritdoc />
    public SegmentationModelInfo Info { get; }

    /// <inheritdoc />
    public Device Device => _device;

    /// <inheritdoc />
    public nn.Module Module => _network;

    /// <summary>Gets the encoder module alone (keys <c>patch_embed1.proj.weight</c>, …, without the <c>backbone.</c> prefix), for loading ImageNet weights into it.</summary>
    public nn.Module Encoder => _network.Backbone;

    /// <summary>Gets a copy of the options the model was built with (widths resolved).</summary>
    public MixTransformerOptions Options => _options.Copy();

    /// <summary>The smallest image height and width the encoder accepts: the first stage's token grid (stride 4) must hold one 8×8 reduction window.</summary>
    public const int MinimumInputSize = 29;

    /// <inheritdoc />
    /// <exception cref="ArgumentException">An image side is below <see cref="MinimumInputSize"/>.</exception>
    public SegmentationOutput Forward(Tensor images)
    {
        Guard.ModelInput(images, _device, nameof(MixTransformerModel), nameof(images));
        if (images.shape[2] < MinimumInputSize || images.shape[3] < MinimumInputSize)
        {
            throw new ArgumentException(
                $"{nameof(MixTransformerModel)} needs images of at least {MinimumInputSize}×{MinimumInputSize} pixels (the first stage's 8×8 spatial reduction), got {images.shape[2]}×{images.shape[3]}.",
                nameof(images));
        }

        var (logits, features) = _network.forward(images);
        return new SegmentationOutput(logits, features);
    }

    /// <inheritdoc />
    public ISegmentationModel Clone()
    {
        var clone = new MixTransformerModel(_options.Copy(), initialize: false);
        SegmentationModelSupport.CopyState(_network, clone._network);
        return clone;
    }

    /// <summary>
    /// Gets the DAFormer optimiser groups: <c>backbone</c> (1×), <c>backbone-norm</c> (every encoder parameter whose name
    /// contains <c>norm</c>: block, stage, patch-embedding and reduction LayerNorms; 1×, no weight decay) and <c>head</c>
    /// (<c>decode_head.*</c>, 10×, with weight decay, as mmcv's first matching key <c>head</c> decides for its BatchNorms too).
    /// </summary>
    /// <returns>The three groups, each trainable parameter once.</returns>
    public IReadOnlyList<ModelParameterGroup> GetParameterGroups()
    {
        var backbone = _network.Backbone.named_parameters().Where(p => p.parameter.requires_grad).ToList();
        return
        [
            new ModelParameterGroup("backbone", [.. backbone.Where(p => !IsNorm(p.name)).Select(p => p.parameter)], 1.0),
            new ModelParameterGroup("backbone-norm", [.. backbone.Where(p => IsNorm(p.name)).Select(p => p.parameter)], 1.0) { WeightDecayMultiplier = 0.0 },
            new ModelParameterGroup("head", [.. _network.Head.parameters().Where(p => p.requires_grad)], 10.0),
        ];

        static bool IsNorm(string name) => name.Contains("norm", StringComparison.Ordinal);
    }

    /// <inheritdoc />
    public void Dispose() => _network.Dispose();

    private void Initialize(int seed)
    {
        using var generator = SegmentationModelSupport.CreateGenerator(seed);
        foreach (var (_, module) in _network.Backbone.named_modules())
        {
            switch (module)
            {
                case Linear linear:
                    ModelInitialization.Normal(linear.weight!, 0.02, generator);
                    ModelInitialization.Constant(linear.bias, 0.0);
                    break;
                case Conv2d conv:
                    ModelInitialization.KaimingNormalFanOut(conv, generator);
                    ModelInitialization.Constant(conv.bias, 0.0);
                    break;
                case LayerNorm norm:
                    ModelInitialization.Constant(norm.weight, 1.0);
                    ModelInitialization.Constant(norm.bias, 0.0);
                    break;
            }
        }

        foreach (var (_, module) in _network.Head.named_modules())
        {
            switch (module)
            {
                case TokenProjection projection:
                    ModelInitialization.FanInUniform(projection.Linear.weight!, projection.Linear.in_features, generator);
                    ModelInitialization.FanInUniform(projection.Linear.bias!, projection.Linear.in_features, generator);
                    break;
                case ConvBatchNormRelu unit:
                    ModelInitialization.KaimingNormalFanOut(unit.Convolution, generator);
                    ModelInitialization.Constant(unit.BatchNorm.weight, 1.0);
                    ModelInitialization.Constant(unit.BatchNorm.bias, 0.0);
                    break;
            }
        }

        ModelInitialization.Normal(_network.Head.Classifier.weight!, 0.01, generator);
        ModelInitialization.Constant(_network.Head.Classifier.bias, 0.0);
    }
}
