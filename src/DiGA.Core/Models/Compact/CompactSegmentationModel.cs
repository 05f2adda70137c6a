using DiGA.Core.Foundation;
using DiGA.Core.Models.DeepLab;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiGA.Core.Models.Compact;

/// <summary>
/// A small segmentation model for CPUs (≈0.4 M parameters at the default width): a narrow ResNet at output stride 8 (or 4)
/// and the same ASPP + squeeze-excitation head, feature layer and 1×1 classifier as <see cref="DeepLabV2"/>.
/// </summary>
/// <remarks>
/// <c>Forward</c> returns logits <c>[N, C, ⌈H/s⌉, ⌈W/s⌉]</c> and features <c>[N, FeatureChannels, ⌈H/s⌉, ⌈W/s⌉]</c> with s the output
/// stride; callers upsample. Backbone convolutions use Kaiming-normal (fan-out) weights; the head is initialised like the
/// DeepLabV2 head. The module is created in training mode. Not thread-safe; disposing the model disposes its parameters and buffers.
/// </remarks>
public sealed class CompactSegmentationModel : ISegmentationModel
{
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
        Info = new SegmentationModelInfo(CompactArchitecture.Name, [.. options.ClassNames], options.FeatureChannels, options.OutputStride, options.InputNormalization);
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

    /// <summary>Gets the groups <c>backbone</c> (stem, layer1–3; 1×) and <c>head</c> (decoder; 10×).</summary>
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
        foreach (var module in _network.BackboneModules)
        {
            foreach (var (_, child) in module.named_modules())
            {
                switch (child)
                {
                    case Conv2d conv:
                        ModelInitialization.KaimingNormalFanOut(conv, generator);
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

        ModelInitialization.InitializeHead(_network.Head, 0.01, generator);
    }
}
