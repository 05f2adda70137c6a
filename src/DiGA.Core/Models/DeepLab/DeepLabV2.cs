using DiGA.Core.Foundation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiGA.Core.Models.DeepLab;

/// <summary>
/// DeepLabV2 with a Caffe-style ResNet-101 (or -50) backbone at output stride 8 and the ASPP + squeeze-excitation head
/// of the reference: <c>Forward</c> returns logits <c>[N, C, h, w]</c> and 256-d features <c>[N, 256, h, w]</c> with
/// <c>h = ⌊(⌈(⌊(H−1)/2⌋+1−1)/2⌉+1−1)/2⌋+1</c> (512×896 → 65×113).
/// </summary>
/// <remarks>
/// <para>State-dict keys follow the reference model: backbone <c>conv1</c>, <c>bn1</c>, <c>layer1.0.conv1.weight</c>,
/// <c>layer1.0.downsample.{0,1}.*</c>, …; head <c>layer5.conv2d_list.{0..4}.{0 conv,1 gn}</c>,
/// <c>layer5.bottleneck.0.se.{0,2}</c>, <c>layer5.bottleneck.{1 conv,2 gn}</c>, <c>layer5.head.1.weight</c> (classifier).</para>
/// <para>Every BatchNorm keeps its affine parameters frozen; in training mode it normalises with batch statistics and
/// updates its running statistics. Initialisation: every convolution N(0, 0.01), ASPP branch biases PyTorch-default
/// uniform, fusion bias 0, GroupNorm/BatchNorm 1 and 0, SE linears PyTorch default. The module is created in training mode.</para>
/// <para>Not thread-safe. Disposing the model disposes its parameters and buffers.</para>
/// </remarks>
public sealed class DeepLabV2 : ISegmentationModel
{
    private readonly DeepLabV2Options _options;
    private readonly DeepLabV2Network _network;
    private readonly Device _device;

    /// <summary>Initialises a new, randomly initialised model on the device of <paramref name="options"/>.</summary>
    /// <param name="options">The options; <see langword="null"/> builds the reference ResNet-101 for 19 classes.</param>
    /// <param name="logger">An optional logger.</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public DeepLabV2(DeepLabV2Options? options = null, ILogger<DeepLabV2>? logger = null)
        : this((options ?? new DeepLabV2Options()).Copy(), initialize: true)
    {
        (logger ?? NullLogger<DeepLabV2>.Instance).LogDebug(
            "Created {Architecture} (width {Width}, {Classes} classes, {Parameters} parameters) on {Device}.",
            Info.Architecture, _options.BackboneWidth, Info.ClassCount, _network.parameters().Sum(p => p.numel()), _device);
    }

    private DeepLabV2(DeepLabV2Options options, bool initialize)
    {
        options.Validate();
        _options = options;
        _device = TorchDevices.Resolve(options.Device);
        var blocks = options.Depth == 101 ? new[] { 3, 4, 23, 3 } : new[] { 3, 4, 6, 3 };
        _network = new DeepLabV2Network(blocks, options.BackboneWidth, options.FeatureChannels, [.. options.AtrousRates], options.ClassNames.Count, options.DropoutRate);
        if (initialize)
        {
            Initialize(options.Seed);
        }

        _network.to(_device);
        _network.train();
        Info = new SegmentationModelInfo(
            options.Depth == 101 ? DeepLabV2Architecture.ResNet101 : DeepLabV2Architecture.ResNet50,
            [.. options.ClassNames],
            options.FeatureChannels,
            OutputStride: 8,
            options.Normalization);
    }

    /// <inheritdoc />
    public SegmentationModelInfo Info { get; }

    /// <inheritdoc />
    public Device Device => _device;

    /// <inheritdoc />
    public nn.Module Module => _network;

    /// <summary>Gets a copy of the options the model was built with.</summary>
    public DeepLabV2Options Options => _options.Copy();

    /// <inheritdoc />
    public SegmentationOutput Forward(Tensor images)
    {
        Guard.ModelInput(images, _device, nameof(DeepLabV2), nameof(images));
        var (logits, features) = _network.forward(images);
        return new SegmentationOutput(logits, features);
    }

    /// <inheritdoc />
    public ISegmentationModel Clone()
    {
        var clone = new DeepLabV2(_options.Copy(), initialize: false);
        SegmentationModelSupport.CopyState(_network, clone._network);
        return clone;
    }

    /// <summary>Gets the groups <c>backbone</c> (conv1, layer1–4; 1×) and <c>head</c> (layer5; 10×), each trainable parameter once.</summary>
    /// <returns>The two groups; frozen BatchNorm parameters are excluded.</returns>
    public IReadOnlyList<ModelParameterGroup> GetParameterGroups() =>
    [
        new ModelParameterGroup("backbone", [.. BackboneParameters().Select(p => p.Parameter)], 1.0),
        new ModelParameterGroup("head", [.. _network.Head.parameters().Where(p => p.requires_grad)], 10.0),
    ];

    /// <summary>
    /// Gets the parameter groups exactly as the reference optimiser receives them: every backbone convolution weight is
    /// repeated once per enclosing module (stem <c>conv1.weight</c> ×2, bottleneck <c>conv1/2/3.weight</c> ×3, downsample
    /// convolution weights ×4), so an SGD that walks the list updates it that many times per step with one shared momentum buffer.
    /// </summary>
    /// <returns>The <c>backbone</c> (1×, with repetitions) and <c>head</c> (10×) groups.</returns>
    internal IReadOnlyList<ModelParameterGroup> GetReferenceParameterGroups()
    {
        var repeated = new List<Parameter>();
        foreach (var (name, parameter) in BackboneParameters())
        {
            var multiplicity = name == "conv1.weight" ? 2 : name.Count(c => c == '.');
            for (var i = 0; i < multiplicity; i++)
            {
                repeated.Add(parameter);
            }
        }

        return
        [
            new ModelParameterGroup("backbone", repeated, 1.0),
            new ModelParameterGroup("head", [.. _network.Head.parameters().Where(p => p.requires_grad)], 10.0),
        ];
    }

    /// <inheritdoc />
    public void Dispose() => _network.Dispose();

    private IEnumerable<(string Name, Parameter Parameter)> BackboneParameters() =>
        _network.named_parameters().Where(p => p.parameter.requires_grad && !p.name.StartsWith("layer5.", StringComparison.Ordinal));

    private void Initialize(int seed)
    {
        using var generator = SegmentationModelSupport.CreateGenerator(seed);
        foreach (var module in _network.BackboneModules)
        {
            foreach (var (_, child) in module.named_modules().Prepend((string.Empty, module)))
            {
                switch (child)
                {
                    case Conv2d conv:
                        ModelInitialization.Normal(conv.weight!, 0.01, generator);
                        break;
                    case BatchNorm bn:
                        ModelInitialization.Constant(bn.weight, 1.0);
                        ModelInitialization.Constant(bn.bias, 0.0);
                        break;
                }
            }
        }

        InitializeHead(_network.Head, 0.01, generator);
    }

    /// <summary>Initialises the parameters of DeepLabV2's ASPP + SE head (<see cref="AsppSeHead"/>) as the reference does:
    /// convs N(0, <paramref name="convStd"/>), branch biases PyTorch-default uniform, fusion bias 0, GN 1/0, SE linears
    /// PyTorch default.</summary>
    private static void InitializeHead(AsppSeHead head, double convStd, Generator generator)
    {
        foreach (var conv in head.BranchConvolutions)
        {
            ModelInitialization.Normal(conv.weight!, convStd, generator);
            ModelInitialization.FanInUniform(conv.bias!, ModelInitialization.FanIn(conv), generator);
        }

        ModelInitialization.Normal(head.FusionConvolution.weight!, convStd, generator);
        ModelInitialization.Constant(head.FusionConvolution.bias, 0.0);
        foreach (var linear in head.SqueezeExcitation.Linears)
        {
            ModelInitialization.FanInUniform(linear.weight!, linear.in_features, generator);
            ModelInitialization.FanInUniform(linear.bias!, linear.in_features, generator);
        }

        ModelInitialization.Normal(head.Classifier.weight!, convStd, generator);
        foreach (var (_, module) in head.named_modules())
        {
            if (module is GroupNorm norm)
            {
                ModelInitialization.Constant(norm.weight, 1.0);
                ModelInitialization.Constant(norm.bias, 0.0);
            }
        }
    }
}
