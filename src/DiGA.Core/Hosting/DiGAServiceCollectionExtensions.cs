using System.Collections;
using System.Reflection;
using DiGA.Core;
using DiGA.Core.Hosting;
using DiGA.Core.Kernels.Augmentation;
using DiGA.Core.Kernels.Distillation;
using DiGA.Core.Kernels.Mixing;
using DiGA.Core.Kernels.PseudoLabels;
using DiGA.Core.Training.Pipeline;
using DiGA.Core.Translation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers DiGA.Core in a <see cref="IServiceCollection"/>.</summary>
public static class DiGAServiceCollectionExtensions
{
    /// <summary>
    /// Registers DiGA.Core: the pieces — <see cref="ISegmentationLoss"/> (cross-entropy or OHEM), <see cref="IPhotometricAugmenter"/>,
    /// <see cref="ISymmetricDistiller"/>, <see cref="ICrossDomainMixer"/>, <see cref="IPseudoLabelSelector"/> (chosen by
    /// <see cref="DiGAOptions.Selector"/>) and <see cref="IDomainTranslatorFactory"/> (from <see cref="DiGAOptions.Translator"/>) —,
    /// the <see cref="ISegmentationModelFactory"/> (<see cref="DiGAOptions.Model"/> on <see cref="DiGAOptions.Device"/>) and the
    /// <see cref="DiGAPipeline"/> that composes them, with <see cref="DiGAOptions"/> validated at start-up. Replace any piece
    /// through the returned builder.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Adjusts the options, which start from the reference GTA5 → Cityscapes preset.</param>
    /// <returns>A builder to replace pieces.</returns>
    public static IDiGABuilder AddDiGA(this IServiceCollection services, Action<DiGAOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<DiGAOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return AddCore(services);
    }

    /// <summary>
    /// Registers DiGA.Core like <see cref="AddDiGA(IServiceCollection, Action{DiGAOptions})"/>, binding the options from a
    /// configuration section (usually <c>DiGA</c>). A <c>Preset</c> key (one of <see cref="DiGAPresets.Names"/>) selects the
    /// values the section then overrides; a list in the section (such as <c>Model:ClassNames</c> or
    /// <c>Pipeline:Data:SourceStreams</c>) replaces the preset's or default list instead of being appended to it.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The <c>DiGA</c> configuration section.</param>
    /// <returns>A builder to replace pieces.</returns>
    public static IDiGABuilder AddDiGA(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<DiGAOptions>()
            .Configure(options =>
            {
                if (configuration["Preset"] is { Length: > 0 } preset)
                {
                    DiGAPresets.ApplyTo(preset, options);
                }

                ClearConfiguredLists(options, configuration);
            })
            .Bind(configuration);
        return AddCore(services);
    }

    /// <summary>Empties (or unsets, when read-only) every list of <paramref name="options"/> that <paramref name="section"/> sets, so that binding replaces it (the binder appends to a list that has items).</summary>
    private static void ClearConfiguredLists(object options, IConfiguration section)
    {
        foreach (var child in section.GetChildren())
        {
            var property = options.GetType().GetProperty(child.Key, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            if (property is null || property.GetIndexParameters().Length > 0 || property.GetValue(options) is not { } value || value is string)
            {
                continue;
            }

            if (value is IList { IsFixedSize: false, IsReadOnly: false } list)
            {
                if (child.GetChildren().Any())
                {
                    list.Clear();
                }
            }
            else if (value is IEnumerable && property.CanWrite)
            {
                // A read-only list (such as ImageNormalization.Mean) is rebuilt by the binder from its items plus the configured ones.
                if (child.GetChildren().Any())
                {
                    property.SetValue(options, null);
                }
            }
            else if (property.PropertyType.IsClass)
            {
                ClearConfiguredLists(value, child);
            }
        }
    }

    private static DiGABuilder AddCore(IServiceCollection services)
    {
        services.AddOptions<DiGAOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DiGAOptions>, DiGAOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DiGAOptions>, TrainingStreamsValidator>());
        services.TryAddSingleton<ISymmetricDistiller>(sp => new SymmetricDistiller(Options(sp).Distillation, sp.GetService<ILogger<SymmetricDistiller>>()));
        services.TryAddSingleton<ICrossDomainMixer>(sp => new ClassMixMixer(Options(sp).Mixing, sp.GetService<ILogger<ClassMixMixer>>()));
        services.TryAddSingleton<IPseudoLabelSelector>(sp => Options(sp) switch
        {
            { Selector: PseudoLabelSelectorKind.FixedThreshold } o => new FixedThresholdSelector(o.FixedThreshold, sp.GetService<ILogger<FixedThresholdSelector>>()),
            { Selector: PseudoLabelSelectorKind.ClassBalanced } o => new ClassBalancedSelector(o.ClassBalanced, sp.GetService<ILogger<ClassBalancedSelector>>()),
            _ => new DynamicPseudoLabelSelector(sp.GetService<ILogger<DynamicPseudoLabelSelector>>()),
        });
        services.TryAddSingleton<ISegmentationLoss>(sp => DiGAPipelineBuilder.DefaultLoss(Options(sp).Pipeline));
        services.TryAddSingleton<IPhotometricAugmenter, PhotometricAugmentation>();
        services.TryAddSingleton<IDomainTranslatorFactory>(sp => new DomainTranslatorFactory(Options(sp).Translator));
        services.TryAddSingleton<ISegmentationModelFactory>(sp => new ConfiguredModelFactory(sp.GetRequiredService<IOptions<DiGAOptions>>(), sp.GetService<ILoggerFactory>()));
        services.TryAddTransient(sp =>
        {
            var options = Options(sp);
            return new DiGAPipeline(
                options.Pipeline,
                options.Seed,
                new DiGAComponents(
                    sp.GetRequiredService<ISegmentationLoss>(),
                    sp.GetRequiredService<IPhotometricAugmenter>(),
                    sp.GetRequiredService<ISymmetricDistiller>(),
                    sp.GetRequiredService<ICrossDomainMixer>(),
                    sp.GetRequiredService<IPseudoLabelSelector>(),
                    sp.GetRequiredService<IDomainTranslatorFactory>()),
                sp.GetService<ILoggerFactory>());
        });
        return new DiGABuilder(services);
    }

    private static DiGAOptions Options(IServiceProvider services) => services.GetRequiredService<IOptions<DiGAOptions>>().Value;
}
