using DiGA.Core.Foundation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiGA.Core.Models.Compact;

/// <summary>
/// A small segmentation model for CPUs (114,947 parameters with the default options): a narrow residual trunk at output stride 4
/// (dilated blocks for context), a light multi-rate head with a stride-4 skip, and a fusion with the stride-2 stem feature,
/// so that thin objects (poles, persons) keep their shape at small image sizes.
/// </summary>
/// <remarks>
/// <c>Forward</c> returns logits <c>[N, C, ⌈H/2⌉, ⌈W/2⌉]</c> and features <c>[N, FeatureChannels, ⌈H/2⌉, ⌈W/2⌉]</c> (output stride 2,
/// <see cref="SegmentationModelInfo.OutputStride"/>); callers upsample. Convolutions use Kaiming-normal (fan-out) weights and zero biases, norm
/// layers weight 1 and bias 0, the classifier N(0, 0.01). The module is created in training mode. Not thread-safe;
/// disposing the model disposes its parameters and buffers.
/// </remarks>
public sealed class CompactSegmentationModel : ISegmentationModel
{
    /// <summary>The output stride of the logits and features.</summary>
    internal const int OutputStride = 2;

    private readonly CompactSegmentationModelOptions _options;
    private readonly CompactNetwork _network;
    private readonly Device _device;

    /// <summary>Initialises a new, randomly initialised model on the device of <paramref name="options"/>.</summary>
    /// <param name="options">The options; <see langword="null"/> uses the defaults.</param>
    /// <param name="logger">An optional logger.</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public CompactSegmentationModel(CompactSegmentationModelOptions? options = null, ILogger<CompactSegmentationModel>? logger = null)
        : this((options ?? new CompactSegmentationModelOptions()).Copy(), initialize: true)
    {
        (logger ?? NullLogger<CompactSegmentationModel>.Instance).LogDebug(
            "Created the compact model ({Classes} classes, {Parameters} parameters) on {Device}.",
            Info.ClassCount, _network.parameters().Sum(p => p.numel()), _device);
    }

    private CompactSegmentationModel(CompactSegmentationModelOptions options, bool initialize)
    {
        options.Validate();
        _options = options;
        _device = TorchDevices.Resolve(options.Device);
        _network = new CompactNetwork(options);
        if (initialize)
        {
            Initialize(options.Seed);
        }

        _network.to(_device);
        _network.train();
        Info = new SegmentationModelInfo(CompactArchitecture.Name, [.. options.ClassNames], options.FeatureChannels, OutputStride, options.InputNormalization);
    }

    /// <inheritdoc />
    public SegmentationModelInfo Info { get; }

    /// <inheritdoc />
    public Device Device => _device;

    /// <inheritdoc />
    public nn.Module Module => _network;

    /// <summary>Gets a copy of the options the model was built with.</summary>
    public CompactSegmentationModelOptions Options => _options.Copy();

    /// <inheritdoc />
    public SegmentationOutput Forward(Tensor images)
    {
        Guard.ModelInput(images, _device, nameof(CompactSegmentationModel), nameof(images));
        var (logits, features) = _network.forward(images);
        return new SegmentationOutput(logits, features);
    }

    /// <inheritdoc />
    public ISegmentationModel Clone()
    {
        var clone = new CompactSegmentationModel(_options.Copy(), initialize: false);
        SegmentationModelSupport.CopyState(_network, clone._network);
        return clone;
    }

    /// <summary>Gets the groups <c>backbone</c> (stem, down, layer1–3; 1×) and <c>head</c> (decoder; 10×).</summary>
    /// <returns>The two groups, each trainable parameter once.</returns>
    public IReadOnlyList<ModelParameterGroup> GetParameterGroups() =>
    [
        new ModelParameterGroup("backbone", [.. _network.BackboneModules.SelectMany(m => m.parameters()).Where(p => p.requires_grad)], 1.0),
        new ModelParameterGroup("head", [.. _network.Head.parameters().Where(p => p.requires_grad)], 10.0),
    ];

    /// <inheritdoc />
    public void Dispose() => _network.Dispose();

    private void Initialize(int seed)
    {
        using var generator = SegmentationModelSupport.CreateGenerator(seed);
        foreach (var (_, child) in _network.named_modules())
        {
            switch (child)
            {
                case Conv2d conv when ReferenceEquals(conv, _network.Head.Classifier):
                    ModelInitialization.Normal(conv.weight!, 0.01, generator);
                    ModelInitialization.Constant(conv.bias, 0.0);
                    break;
                case Conv2d conv:
                    ModelInitialization.KaimingNormalFanOut(conv, generator);
                    ModelInitialization.Constant(conv.bias, 0.0);
                    break;
                case BatchNorm bn:
                    ModelInitialization.Constant(bn.weight, 1.0);
                    ModelInitialization.Constant(bn.bias, 0.0);
                    break;
                case GroupNorm gn:
                    ModelInitialization.Constant(gn.weight, 1.0);
                    ModelInitialization.Constant(gn.bias, 0.0);
                    break;
            }
        }
    }
}
