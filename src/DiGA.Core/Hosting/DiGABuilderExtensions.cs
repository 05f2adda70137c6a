using DiGA.Core;
using DiGA.Core.Kernels.Augmentation;
using DiGA.Core.Translation;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Replaces DiGA.Core's default pieces with a host's own implementations.</summary>
public static class DiGABuilderExtensions
{
    /// <summary>Uses <typeparamref name="TSelector"/> (a singleton built by the container) as the pseudo-label selector.</summary>
    /// <typeparam name="TSelector">The selector type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IDiGABuilder UseSelector<TSelector>(this IDiGABuilder builder)
        where TSelector : class, IPseudoLabelSelector => Replace<IPseudoLabelSelector, TSelector>(builder);

    /// <summary>Uses <typeparamref name="TMixer"/> (a singleton built by the container) as the cross-domain mixer.</summary>
    /// <typeparam name="TMixer">The mixer type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IDiGABuilder UseMixer<TMixer>(this IDiGABuilder builder)
        where TMixer : class, ICrossDomainMixer => Replace<ICrossDomainMixer, TMixer>(builder);

    /// <summary>Uses <typeparamref name="TDistiller"/> (a singleton built by the container) as the distillation loss.</summary>
    /// <typeparam name="TDistiller">The distiller type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IDiGABuilder UseDistiller<TDistiller>(this IDiGABuilder builder)
        where TDistiller : class, ISymmetricDistiller => Replace<ISymmetricDistiller, TDistiller>(builder);

    /// <summary>Uses <typeparamref name="TLoss"/> (a singleton built by the container) as the supervised loss.</summary>
    /// <typeparam name="TLoss">The loss type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IDiGABuilder UseLoss<TLoss>(this IDiGABuilder builder)
        where TLoss : class, ISegmentationLoss => Replace<ISegmentationLoss, TLoss>(builder);

    /// <summary>Uses <typeparamref name="TAugmenter"/> (a singleton built by the container) as the photometric view.</summary>
    /// <typeparam name="TAugmenter">The augmenter type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IDiGABuilder UsePhotometric<TAugmenter>(this IDiGABuilder builder)
        where TAugmenter : class, IPhotometricAugmenter => Replace<IPhotometricAugmenter, TAugmenter>(builder);

    /// <summary>Uses <typeparamref name="TFactory"/> (a singleton built by the container) to create the translators.</summary>
    /// <typeparam name="TFactory">The translator factory type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IDiGABuilder UseTranslators<TFactory>(this IDiGABuilder builder)
        where TFactory : class, IDomainTranslatorFactory => Replace<IDomainTranslatorFactory, TFactory>(builder);

    /// <summary>Uses <typeparamref name="TFactory"/> (a singleton built by the container) to build models.</summary>
    /// <typeparam name="TFactory">The model factory type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IDiGABuilder UseModels<TFactory>(this IDiGABuilder builder)
        where TFactory : class, ISegmentationModelFactory => Replace<ISegmentationModelFactory, TFactory>(builder);

    private static IDiGABuilder Replace<TService, TImplementation>(IDiGABuilder builder)
        where TService : class
        where TImplementation : class, TService
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Replace(ServiceDescriptor.Singleton<TService, TImplementation>());
        return builder;
    }
}
