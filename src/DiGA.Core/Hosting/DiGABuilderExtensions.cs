using DiGA.Core;
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

    /// <summary>Uses the model <paramref name="factory"/> builds (once; the container disposes it).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="factory">Builds the model.</param>
    /// <returns>The builder.</returns>
    public static IDiGABuilder UseModel(this IDiGABuilder builder, Func<IServiceProvider, ISegmentationModel> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(factory);
        builder.Services.Replace(ServiceDescriptor.Singleton(factory));
        return builder;
    }

    /// <summary>Uses <paramref name="translator"/> as the source → target translator of the cross-domain mixture (the container does not dispose it).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="translator">The translator, for example one built by <see cref="DomainTranslatorFactory"/>.</param>
    /// <returns>The builder.</returns>
    public static IDiGABuilder UseTranslator(this IDiGABuilder builder, IDomainTranslator translator)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(translator);
        builder.Services.Replace(ServiceDescriptor.Singleton(translator));
        return builder;
    }

    private static IDiGABuilder Replace<TService, TImplementation>(IDiGABuilder builder)
        where TService : class
        where TImplementation : class, TService
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Replace(ServiceDescriptor.Singleton<TService, TImplementation>());
        return builder;
    }
}
