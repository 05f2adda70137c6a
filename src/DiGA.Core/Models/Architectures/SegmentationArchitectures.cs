using System.Collections.Concurrent;
using DiGA.Core.Models.Checkpoints;
using DiGA.Core.Models.Compact;
using DiGA.Core.Models.DeepLab;
using DiGA.Core.Models.MixTransformer;
using Microsoft.Extensions.Logging;

namespace DiGA.Core.Models.Architectures;

/// <summary>
/// The registry of segmentation architectures by name: the model factory, <c>ModelCheckpoint</c> and the optimiser find an
/// architecture here from <see cref="SegmentationModelOptions.Architecture"/> or <see cref="SegmentationModelInfo.Architecture"/>.
/// </summary>
/// <remarks>DeepLabV2 (ResNet-101, ResNet-50), the compact model and the Mix Transformer models (<c>mit-b0+daformer</c> … <c>mit-b5+segformer</c>) are registered; <see cref="Register"/> adds more. Names are case-insensitive. Thread-safe.</remarks>
public static class SegmentationArchitectures
{
    private static readonly ConcurrentDictionary<string, SegmentationArchitecture> ByName = new(StringComparer.OrdinalIgnoreCase);

    static SegmentationArchitectures()
    {
        Register(DeepLabV2Architecture.Instance);
        Register(CompactArchitecture.Instance);
        Register(MixTransformerArchitecture.Instance);
    }

    /// <summary>Gets the registered names, sorted.</summary>
    public static IReadOnlyList<string> Names => [.. ByName.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Registers an architecture under each of its names.</summary>
    /// <param name="architecture">The architecture.</param>
    /// <exception cref="ArgumentException">A name is already registered to another architecture.</exception>
    public static void Register(SegmentationArchitecture architecture)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        foreach (var name in architecture.Names)
        {
            var registered = ByName.GetOrAdd(name, architecture);
            if (!ReferenceEquals(registered, architecture))
            {
                throw new ArgumentException($"The architecture name '{name}' is already registered by {registered.GetType().Name}.", nameof(architecture));
            }
        }
    }

    /// <summary>Finds an architecture by name.</summary>
    /// <param name="name">The name, for example <c>deeplabv2-resnet101</c>.</param>
    /// <returns>The architecture.</returns>
    /// <exception cref="ArgumentException">No architecture has that name; the message lists the registered ones.</exception>
    public static SegmentationArchitecture Get(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return ByName.TryGetValue(name.Trim(), out var architecture)
            ? architecture
            : throw new ArgumentException($"Unknown architecture '{name}'. Registered architectures: {string.Join(", ", Names)}.", nameof(name));
    }

    /// <summary>Builds a randomly initialised model of <see cref="SegmentationModelOptions.Architecture"/>.</summary>
    /// <param name="options">The model description.</param>
    /// <param name="loggerFactory">An optional logger factory.</param>
    /// <returns>A new model in training mode on the configured device, owned by the caller.</returns>
    /// <exception cref="ArgumentException">The architecture is unknown or an option is out of range.</exception>
    public static ISegmentationModel Create(SegmentationModelOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var name = options.Architecture.Trim().ToLowerInvariant();
        return Get(name).Create(name, options, loggerFactory);
    }
}
