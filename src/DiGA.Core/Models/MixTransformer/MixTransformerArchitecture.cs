using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace DiGA.Core.Models.MixTransformer;

/// <summary>
/// Mix Transformer encoders with the DAFormer or SegFormer decoder: <c>mit-b0+daformer</c> … <c>mit-b5+daformer</c> and
/// <c>mit-b0+segformer</c> … <c>mit-b5+segformer</c>.
/// </summary>
/// <remarks>
/// From <see cref="SegmentationModelOptions"/>: <see cref="SegmentationModelOptions.BackboneWidth"/> is the first-stage width
/// (<see cref="MixTransformerOptions.Width"/>), <see cref="SegmentationModelOptions.FeatureChannels"/> the decoder width
/// (<see cref="MixTransformerOptions.DecoderChannels"/>); the output stride is always 4.
/// </remarks>
public sealed class MixTransformerArchitecture : SegmentationArchitecture
{
    /// <summary>The name of DAFormer with MiT-B5, the reference DAFormer model.</summary>
    public const string DAFormerB5 = "mit-b5+daformer";

    /// <summary>Gets the instance.</summary>
    public static MixTransformerArchitecture Instance { get; } = new();

    /// <inheritdoc />
    public override IReadOnlyList<string> Names { get; } =
    [
        .. Enum.GetValues<MixTransformerDecoder>().SelectMany(d => Enum.GetValues<MixTransformerVariant>().Select(v => NameOf(v, d))),
    ];

    /// <summary>Gets the registry name of an encoder and decoder, for example <c>mit-b5+daformer</c>.</summary>
    /// <param name="variant">The encoder.</param>
    /// <param name="decoder">The decoder.</param>
    /// <returns>The lower-case name.</returns>
    public static string NameOf(MixTransformerVariant variant, MixTransformerDecoder decoder) =>
        $"mit-{variant.ToString().ToLowerInvariant()}+{decoder.ToString().ToLowerInvariant()}";

    /// <inheritdoc />
    public override ISegmentationModel Create(string name, SegmentationModelOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.OutputStride is { } stride && stride != 4)
        {
            throw new ArgumentException($"SegmentationModelOptions.OutputStride {stride}: Mix Transformer models have output stride 4.", nameof(options));
        }

        var (variant, decoder) = Parse(name);
        return new MixTransformerModel(
            new MixTransformerOptions
            {
                Variant = variant,
                Decoder = decoder,
                ClassNames = [.. options.ClassNames],
                Width = options.BackboneWidth,
                DecoderChannels = options.FeatureChannels,
                InputNormalization = options.InputNormalization,
                Device = options.Device,
                Seed = options.Seed,
            },
            loggerFactory?.CreateLogger<MixTransformerModel>());
    }

    /// <inheritdoc />
    public override JsonObject Describe(ISegmentationModel model) =>
        JsonSerializer.SerializeToNode(Own(model).Options, ModelJson.Options)!.AsObject();

    /// <inheritdoc />
    public override ISegmentationModel Rebuild(JsonObject description, string device)
    {
        var options = description.Deserialize<MixTransformerOptions>(ModelJson.Options) ?? throw new ArgumentException("The Mix Transformer description is empty.", nameof(description));
        options.Device = device;
        return new MixTransformerModel(options);
    }

    internal static (MixTransformerVariant Variant, MixTransformerDecoder Decoder) Parse(string name)
    {
        foreach (var decoder in Enum.GetValues<MixTransformerDecoder>())
        {
            foreach (var variant in Enum.GetValues<MixTransformerVariant>())
            {
                if (string.Equals(name?.Trim(), NameOf(variant, decoder), StringComparison.OrdinalIgnoreCase))
                {
                    return (variant, decoder);
                }
            }
        }

        throw new ArgumentException($"'{name}' is not a Mix Transformer architecture; use mit-b0 … mit-b5 with +daformer or +segformer.", nameof(name));
    }

    private static MixTransformerModel Own(ISegmentationModel model) =>
        model as MixTransformerModel ?? throw new ArgumentException($"Expected a Mix Transformer model, got {model?.GetType().Name ?? "null"}.", nameof(model));
}
