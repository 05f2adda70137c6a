using DiGA.Core.Foundation;
using DiGA.Core.Training;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace DiGA.Core.Translation.Learned;

/// <summary>
/// Trains the learned image translator (UNIT-style shared-latent encoders/decoders with LSGAN multi-scale
/// discriminators): <c>enc_s</c>, <c>enc_t</c>, <c>dec_s2t</c>, <c>dec_t2s</c>, <c>dis_s2t</c>, <c>dis_t2s</c>.
/// </summary>
/// <remarks>
/// One <see cref="Step"/> per iteration: a discriminator update on detached translations, then a generator update with
/// <c>L_G = w_adv·L_adv + w_cyc·L_cyc + w_edge·L_edge + w_perc·L_perc + w_self·L_self</c>, both with Adam under a poly
/// learning-rate schedule. Only <c>enc_s</c> and <c>dec_s2t</c> are kept for inference (<see cref="SaveTranslator"/>,
/// <see cref="LearnedTranslator.Load"/>). The trainer owns its networks and, when it created it, the perceptual
/// extractor; dispose it. Not thread-safe.
/// </remarks>
public sealed class TranslatorTrainer : IDisposable
{
    private readonly TranslatorTrainerOptions _options;
    private readonly ILogger _logger;
    private readonly Device _device;
    private readonly IPerceptualFeatureExtractor _perceptual;
    private readonly bool _ownsPerceptual;
    private readonly double[] _layerWeights;
    private readonly OptimizerHelper _generatorOptimizer;
    private readonly OptimizerHelper _discriminatorOptimizer;

    /// <summary>Creates a trainer with the default VGG19 perceptual features loaded from <see cref="TranslatorTrainerOptions.VggWeightsPath"/>.</summary>
    /// <param name="options">The options; read once.</param>
    /// <param name="logger">An optional logger.</param>
    /// <exception cref="ArgumentException">An option is invalid or <see cref="TranslatorTrainerOptions.VggWeightsPath"/> is not set.</exception>
    public TranslatorTrainer(TranslatorTrainerOptions options, ILogger<TranslatorTrainer>? logger = null)
        : this(options, CreateVgg(options), ownsPerceptual: true, logger)
    {
    }

    /// <summary>Creates a trainer with a custom perceptual feature extractor.</summary>
    /// <param name="options">The options; read once.</param>
    /// <param name="perceptualFeatures">The perceptual features; borrowed, not disposed by the trainer. It must live on the trainer's device.</param>
    /// <param name="logger">An optional logger.</param>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public TranslatorTrainer(TranslatorTrainerOptions options, IPerceptualFeatureExtractor perceptualFeatures, ILogger<TranslatorTrainer>? logger = null)
        : this(options, perceptualFeatures, ownsPerceptual: false, logger)
    {
    }

    private TranslatorTrainer(TranslatorTrainerOptions options, IPerceptualFeatureExtractor perceptual, bool ownsPerceptual, ILogger<TranslatorTrainer>? logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(perceptual);
        options.Validate();
        _options = options;
        _logger = logger ?? (ILogger)NullLogger<TranslatorTrainer>.Instance;
        _device = TorchDevices.Resolve(options.Device);
        _perceptual = perceptual;
        _ownsPerceptual = ownsPerceptual;
        _layerWeights = [.. options.PerceptualLayerWeights];

        var width = options.Width;
        SourceEncoder = new ImageEncoder(width);
        TargetEncoder = new ImageEncoder(width);
        SourceToTargetDecoder = new ImageDecoder(width);
        TargetToSourceDecoder = new ImageDecoder(width);
        SourceToTargetDiscriminator = new MultiScaleDiscriminator(width);
        TargetToSourceDiscriminator = new MultiScaleDiscriminator(width);
        var generator = new Generator((ulong)options.Seed);
        Module[] networks = [SourceEncoder, TargetEncoder, SourceToTargetDecoder, TargetToSourceDecoder, SourceToTargetDiscriminator, TargetToSourceDiscriminator];
        foreach (var network in networks)
        {
            ResetParameters(network, generator);
            network.to(_device);
            network.train();
        }

        var generatorParameters = SourceEncoder.parameters().Concat(TargetEncoder.parameters())
            .Concat(SourceToTargetDecoder.parameters()).Concat(TargetToSourceDecoder.parameters());
        var discriminatorParameters = SourceToTargetDiscriminator.parameters().Concat(TargetToSourceDiscriminator.parameters());
        _generatorOptimizer = new ScalarSafeAdam(generatorParameters, options.LearningRate, options.Beta1, options.Beta2);
        _discriminatorOptimizer = new ScalarSafeAdam(discriminatorParameters, options.LearningRate, options.Beta1, options.Beta2);
    }

    /// <summary>Gets the number of steps taken so far.</summary>
    public int Iteration { get; private set; }

    internal ImageEncoder SourceEncoder { get; }

    internal ImageEncoder TargetEncoder { get; }

    internal ImageDecoder SourceToTargetDecoder { get; }

    internal ImageDecoder TargetToSourceDecoder { get; }

    internal MultiScaleDiscriminator SourceToTargetDiscriminator { get; }

    internal MultiScaleDiscriminator TargetToSourceDiscriminator { get; }

    /// <summary>Runs one training iteration: a discriminator update, then a generator update.</summary>
    /// <param name="sourceImages">Source images <c>[N, 3, H, W]</c>, float32, normalised; H and W multiples of 4 and at least 64.</param>
    /// <param name="sourceLabels">Source labels <c>[N, H, W]</c>, integer; the ignore label takes part in the edge mask.</param>
    /// <param name="targetImages">Target images <c>[M, 3, H', W']</c>, same constraints as the source images.</param>
    /// <returns>The losses of this iteration (one host synchronisation per step).</returns>
    /// <exception cref="ArgumentException">A tensor has the wrong shape or type.</exception>
    public TranslatorStepLosses Step(Tensor sourceImages, Tensor sourceLabels, Tensor targetImages)
    {
        ValidateTrainingImages(sourceImages, nameof(sourceImages));
        ValidateTrainingImages(targetImages, nameof(targetImages));
        ArgumentNullException.ThrowIfNull(sourceLabels);
        if (sourceLabels.dim() != 3 || sourceLabels.shape[0] != sourceImages.shape[0]
            || sourceLabels.shape[1] != sourceImages.shape[2] || sourceLabels.shape[2] != sourceImages.shape[3]
            || sourceLabels.is_floating_point())
        {
            throw new ArgumentException($"Expected integer source labels [N, H, W] matching the images, got {sourceLabels.dtype} [{string.Join(", ", sourceLabels.shape)}].", nameof(sourceLabels));
        }

        var learningRate = _options.LearningRate * Math.Pow(Math.Max(0.0, 1.0 - ((double)Iteration / _options.MaxIterations)), _options.PolyPower);
        SetLearningRate(_generatorOptimizer, learningRate);
        SetLearningRate(_discriminatorOptimizer, learningRate);

        using var scope = NewDisposeScope();
        var xs = sourceImages.to(ScalarType.Float32).to(_device);
        var xt = targetImages.to(ScalarType.Float32).to(_device);
        var ys = sourceLabels.to(_device);

        var hs = SourceEncoder.forward(xs);
        var ht = TargetEncoder.forward(xt);
        var sourceToTarget = SourceToTargetDecoder.forward(hs);
        var targetToSource = TargetToSourceDecoder.forward(ht);
        var sourceSelf = TargetToSourceDecoder.forward(hs);
        var targetSelf = SourceToTargetDecoder.forward(ht);
        var sourceCycle = TargetToSourceDecoder.forward(TargetEncoder.forward(sourceToTarget));
        var targetCycle = SourceToTargetDecoder.forward(SourceEncoder.forward(targetToSource));

        _discriminatorOptimizer.zero_grad();
        var discriminatorLoss =
            TranslatorLosses.DiscriminatorLoss(SourceToTargetDiscriminator.forward(xt), SourceToTargetDiscriminator.forward(sourceToTarget.detach())).add(
            TranslatorLosses.DiscriminatorLoss(TargetToSourceDiscriminator.forward(xs), TargetToSourceDiscriminator.forward(targetToSource.detach())), Scalars.One);
        discriminatorLoss.backward();
        _discriminatorOptimizer.step();

        _generatorOptimizer.zero_grad();
        var adversarial = TranslatorLosses.GeneratorLoss(SourceToTargetDiscriminator.forward(sourceToTarget))
            .add(TranslatorLosses.GeneratorLoss(TargetToSourceDiscriminator.forward(targetToSource)), Scalars.One);
        var cycle = functional.l1_loss(sourceCycle, xs).add(functional.l1_loss(targetCycle, xt), Scalars.One);
        var self = functional.l1_loss(sourceSelf, xs).add(functional.l1_loss(targetSelf, xt), Scalars.One);
        var perceptual = TranslatorLosses.PerceptualLoss(_perceptual, _layerWeights, sourceToTarget, xs)
            .add(TranslatorLosses.PerceptualLoss(_perceptual, _layerWeights, targetToSource, xt), Scalars.One);
        var edge = TranslatorLosses.EdgeLoss(xs, sourceToTarget, TranslatorLosses.SemanticEdgeMask(ys, _options.EdgeThreshold));
        using var adversarialWeight = Scalars.Create(_options.AdversarialWeight);
        using var cycleWeight = Scalars.Create(_options.CycleWeight);
        using var edgeWeight = Scalars.Create(_options.EdgeWeight);
        using var perceptualWeight = Scalars.Create(_options.PerceptualWeight);
        using var selfWeight = Scalars.Create(_options.SelfReconstructionWeight);
        var generatorLoss = adversarial.mul(adversarialWeight).add(cycle.mul(cycleWeight), Scalars.One).add(edge.mul(edgeWeight), Scalars.One)
            .add(perceptual.mul(perceptualWeight), Scalars.One).add(self.mul(selfWeight), Scalars.One);
        generatorLoss.backward();
        _generatorOptimizer.step();
        _discriminatorOptimizer.zero_grad();

        var values = stack([discriminatorLoss, generatorLoss, adversarial, cycle, self, edge, perceptual]).detach().cpu().data<float>().ToArray();
        var losses = new TranslatorStepLosses(Iteration, learningRate, values[0], values[1], values[2], values[3], values[4], values[5], values[6]);
        _logger.LogDebug(
            "Translator iteration {Iteration}: D {Discriminator:F4}, G {Generator:F4} (adv {Adversarial:F4}, cyc {Cycle:F4}, self {Self:F4}, edge {Edge:F4}, perc {Perceptual:F4})",
            Iteration, losses.Discriminator, losses.Generator, losses.Adversarial, losses.Cycle, losses.SelfReconstruction, losses.Edge, losses.Perceptual);
        Iteration++;
        return losses;
    }

    /// <summary>Adds the whole training state — the six networks and both optimisers — to checkpoint entries.</summary>
    /// <param name="entries">The checkpoint entries to add to.</param>
    internal void WriteState(IDictionary<string, Action<Stream>> entries)
    {
        foreach (var (name, network) in Networks)
        {
            entries[name + ".dat"] = stream => network.save(stream);
        }

        entries["generator-optimizer.dat"] = stream => SaveOptimizer(_generatorOptimizer, stream);
        entries["discriminator-optimizer.dat"] = stream => SaveOptimizer(_discriminatorOptimizer, stream);
    }

    /// <summary>Restores what <see cref="WriteState"/> wrote and continues at <paramref name="iteration"/>.</summary>
    /// <param name="entries">The checkpoint entries.</param>
    /// <param name="path">The checkpoint file, for error messages.</param>
    /// <param name="iteration">The number of steps the state has taken.</param>
    /// <exception cref="InvalidDataException">An entry is missing or does not fit these networks.</exception>
    internal void ReadState(IReadOnlyDictionary<string, byte[]> entries, string path, int iteration)
    {
        try
        {
            foreach (var (name, network) in Networks)
            {
                using var stream = new MemoryStream(Require(entries, path, name + ".dat"));
                network.load(stream);
            }

            LoadOptimizer(_generatorOptimizer, Require(entries, path, "generator-optimizer.dat"));
            LoadOptimizer(_discriminatorOptimizer, Require(entries, path, "discriminator-optimizer.dat"));
        }
        catch (Exception exception) when (exception is ArgumentException or EndOfStreamException or IOException)
        {
            throw new InvalidDataException($"Checkpoint '{path}' does not hold the training state of this translator (width or options differ, or the file is damaged): {exception.Message}", exception);
        }

        Iteration = iteration;
    }

    /// <summary>Checks that every weight of the six networks is finite (one host synchronisation).</summary>
    internal bool ParametersAreFinite()
    {
        using var scope = NewDisposeScope();
        var checks = Networks.SelectMany(n => n.Network.parameters()).Select(p => p.isfinite().all()).ToArray();
        return stack(checks).all().item<bool>();
    }

    /// <summary>Writes <c>enc_s</c> and <c>dec_s2t</c> as PyTorch state dicts (<see cref="LearnedTranslator.EncoderFileName"/>, <see cref="LearnedTranslator.DecoderFileName"/>), each file atomically.</summary>
    /// <param name="directory">The directory; created when missing.</param>
    public void SaveTranslator(string directory) => LearnedTranslator.SaveWeights(SourceEncoder, SourceToTargetDecoder, directory);

    /// <inheritdoc />
    public void Dispose()
    {
        _generatorOptimizer.Dispose();
        _discriminatorOptimizer.Dispose();
        SourceEncoder.Dispose();
        TargetEncoder.Dispose();
        SourceToTargetDecoder.Dispose();
        TargetToSourceDecoder.Dispose();
        SourceToTargetDiscriminator.Dispose();
        TargetToSourceDiscriminator.Dispose();
        if (_ownsPerceptual && _perceptual is IDisposable disposable)
        {
            disposable.Dispose();
        }
    }

    private IEnumerable<(string Name, Module Network)> Networks =>
    [
        ("enc_s", SourceEncoder), ("enc_t", TargetEncoder), ("dec_s2t", SourceToTargetDecoder),
        ("dec_t2s", TargetToSourceDecoder), ("dis_s2t", SourceToTargetDiscriminator), ("dis_t2s", TargetToSourceDiscriminator),
    ];

    private static byte[] Require(IReadOnlyDictionary<string, byte[]> entries, string path, string name) =>
        entries.TryGetValue(name, out var bytes) ? bytes : throw new InvalidDataException($"Checkpoint '{path}' has no '{name}' entry.");

    private static void SaveOptimizer(OptimizerHelper optimizer, Stream stream)
    {
        using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        optimizer.save_state_dict(writer);
    }

    private static void LoadOptimizer(OptimizerHelper optimizer, byte[] bytes)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes));
        optimizer.load_state_dict(reader);
    }

    /// <summary>Re-draws every conv weight and bias from <c>U(−1/√fan_in, 1/√fan_in)</c> (PyTorch's default) with a seeded generator.</summary>
    private static void ResetParameters(Module network, Generator generator)
    {
        using var noGrad = no_grad();
        foreach (var (_, module) in network.named_modules())
        {
            if (module is TorchSharp.Modules.Conv2d conv)
            {
                var fanIn = conv.weight!.shape[1] * conv.weight.shape[2] * conv.weight.shape[3];
                var bound = 1.0 / Math.Sqrt(fanIn);
                conv.weight.uniform_(-bound, bound, generator);
                conv.bias?.uniform_(-bound, bound, generator);
            }
        }
    }

    private static void SetLearningRate(OptimizerHelper optimizer, double learningRate)
    {
        foreach (var group in optimizer.ParamGroups)
        {
            group.LearningRate = learningRate;
        }
    }

    private static void ValidateTrainingImages(Tensor images, string parameterName)
    {
        Guard.Images(images, parameterName);
        if (images.shape[2] % 4 != 0 || images.shape[3] % 4 != 0 || images.shape[2] < 64 || images.shape[3] < 64)
        {
            throw new ArgumentException($"Training images need a height and width that are multiples of 4 and at least 64 (three discriminator scales), got {images.shape[2]}×{images.shape[3]}.", parameterName);
        }
    }

    private static IPerceptualFeatureExtractor CreateVgg(TranslatorTrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.VggWeightsPath))
        {
            throw new ArgumentException($"{nameof(TranslatorTrainerOptions.VggWeightsPath)} must name the ImageNet VGG19 weights file, or pass a custom {nameof(IPerceptualFeatureExtractor)}.", nameof(options));
        }

        return new Vgg19FeatureExtractor(options.VggWeightsPath, TorchDevices.Resolve(options.Device));
    }
}
