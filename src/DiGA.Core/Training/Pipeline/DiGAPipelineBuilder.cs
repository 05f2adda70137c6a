using DiGA.Core.Kernels.Augmentation;
using DiGA.Core.Kernels.Distillation;
using DiGA.Core.Kernels.Losses;
using DiGA.Core.Kernels.Mixing;
using DiGA.Core.Kernels.PseudoLabels;
using DiGA.Core.Translation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DiGA.Core.Training.Pipeline;

/// <summary>Builds a <see cref="DiGAPipeline"/> without a container: options, seed, and any piece to replace; the rest are the defaults.</summary>
/// <remarks>
/// Defaults: cross-entropy (or OHEM when <see cref="DiGAPipelineOptions.SupervisedLoss"/> says so), the reference photometric
/// view, symmetric distillation and ClassMix with their default options, the dynamic pseudo-label selector, and the
/// Reinhard translator fitted on the target images.
/// </remarks>
public sealed class DiGAPipelineBuilder
{
    private DiGAPipelineOptions _options = new();
    private int _seed;
    private ISegmentationLoss? _loss;
    private IPhotometricAugmenter? _photometric;
    private ISymmetricDistiller? _distiller;
    private ICrossDomainMixer? _mixer;
    private IPseudoLabelSelector? _selector;
    private IDomainTranslatorFactory? _translators;
    private ILoggerFactory? _loggerFactory;

    /// <summary>Sets the options (the reference GTA5 → Cityscapes ones by default).</summary>
    public DiGAPipelineBuilder WithOptions(DiGAPipelineOptions options)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        return this;
    }

    /// <summary>Sets the seed of every random generator and data order (0 by default).</summary>
    public DiGAPipelineBuilder WithSeed(int seed)
    {
        _seed = seed;
        return this;
    }

    /// <summary>Uses <paramref name="loss"/> as the supervised loss.</summary>
    public DiGAPipelineBuilder UseLoss(ISegmentationLoss loss) => Set(ref _loss, loss);

    /// <summary>Uses <paramref name="photometric"/> as the photometric view.</summary>
    public DiGAPipelineBuilder UsePhotometric(IPhotometricAugmenter photometric) => Set(ref _photometric, photometric);

    /// <summary>Uses <paramref name="distiller"/> as the distillation loss.</summary>
    public DiGAPipelineBuilder UseDistiller(ISymmetricDistiller distiller) => Set(ref _distiller, distiller);

    /// <summary>Uses <paramref name="mixer"/> as the cross-domain mixer.</summary>
    public DiGAPipelineBuilder UseMixer(ICrossDomainMixer mixer) => Set(ref _mixer, mixer);

    /// <summary>Uses <paramref name="selector"/> as the pseudo-label selector.</summary>
    public DiGAPipelineBuilder UseSelector(IPseudoLabelSelector selector) => Set(ref _selector, selector);

    /// <summary>Uses <paramref name="translators"/> to create the translators.</summary>
    public DiGAPipelineBuilder UseTranslators(IDomainTranslatorFactory translators) => Set(ref _translators, translators);

    /// <summary>Logs through <paramref name="loggerFactory"/>.</summary>
    public DiGAPipelineBuilder UseLoggerFactory(ILoggerFactory loggerFactory) => Set(ref _loggerFactory, loggerFactory);

    /// <summary>Builds the pipeline.</summary>
    /// <returns>A new pipeline.</returns>
    public DiGAPipeline Build() => new(
        _options,
        _seed,
        new DiGAComponents(
            _loss ?? DefaultLoss(_options),
            _photometric ?? new PhotometricAugmentation(),
            _distiller ?? new SymmetricDistiller(),
            _mixer ?? new ClassMixMixer(),
            _selector ?? new DynamicPseudoLabelSelector(),
            _translators ?? new DomainTranslatorFactory(new TranslatorOptions())),
        _loggerFactory);

    /// <summary>The supervised loss <see cref="DiGAPipelineOptions.SupervisedLoss"/> names, with its options.</summary>
    /// <param name="options">The pipeline options.</param>
    /// <returns>A new loss.</returns>
    public static ISegmentationLoss DefaultLoss(DiGAPipelineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.SupervisedLoss == SupervisedLossKind.Ohem ? new OhemCrossEntropy(options.Ohem) : new CrossEntropy2d(options.CrossEntropy);
    }

    private DiGAPipelineBuilder Set<T>(ref T? field, T value)
        where T : class
    {
        field = value ?? throw new ArgumentNullException(nameof(value));
        return this;
    }
}
