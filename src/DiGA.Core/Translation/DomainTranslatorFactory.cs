using DiGA.Core.Data;
using DiGA.Core.Translation.Learned;
using static TorchSharp.torch;

namespace DiGA.Core.Translation;

/// <summary>Builds the configured <see cref="IDomainTranslator"/>: fits the training-free translators on target images, or loads the learned one.</summary>
/// <param name="options">The translator options; read at every call.</param>
public sealed class DomainTranslatorFactory(TranslatorOptions options) : IDomainTranslatorFactory
{
    /// <inheritdoc />
    /// <exception cref="ArgumentException">The learned translator has no weights folder.</exception>
    public IDomainTranslator? Create(DomainTranslatorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Create(options, context.TargetImages, context.Normalization, context.Device);
    }

    /// <summary>Creates the translator <paramref name="options"/> describe.</summary>
    /// <param name="options">The translator options.</param>
    /// <param name="target">The target images the training-free translators gather statistics from (labels are not read).</param>
    /// <param name="normalization">The normalisation of the images the translator will see (the model's).</param>
    /// <param name="device">The device of those images (the learned translator is loaded there; fitted statistics follow the images).</param>
    /// <returns>The translator, or <see langword="null"/> for <see cref="TranslatorKind.None"/>. It owns what it fitted or loaded: dispose it when done.</returns>
    /// <exception cref="ArgumentException">The learned translator has no weights folder.</exception>
    private static IDomainTranslator? Create(TranslatorOptions options, ISegmentationDataset target, ImageNormalization normalization, Device device)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(normalization);
        ArgumentNullException.ThrowIfNull(device);
        switch (options.Kind)
        {
            case TranslatorKind.None:
                return null;
            case TranslatorKind.Learned:
                var directory = options.LearnedWeightsDirectory
                    ?? throw new ArgumentException($"{nameof(TranslatorOptions.LearnedWeightsDirectory)} must name the folder of enc_s.pth and dec_s2t.pth for the learned translator.", nameof(options));
                return LearnedTranslator.Load(directory, new LearnedTranslatorOptions { Device = device.ToString() });
            case TranslatorKind.Reinhard:
                var colours = ColorStatisticsBank.Fit(TargetImages(target, options.FitImageCount, normalization), normalization);
                return new ReinhardTranslator(colours, new ReinhardTranslatorOptions { Normalization = normalization, Selection = options.Reinhard.Selection });
            case TranslatorKind.Fourier:
                var amplitudes = AmplitudeSpectrumBank.Fit(TargetImages(target, options.FitImageCount, normalization), options.Fourier.Beta, normalization);
                return new FourierTranslator(amplitudes, new FourierTranslatorOptions { Beta = options.Fourier.Beta, Normalization = normalization, Selection = options.Fourier.Selection });
            default:
                throw new ArgumentOutOfRangeException(nameof(options), options.Kind, "Unknown translator kind.");
        }
    }

    // No dispose scope here: an iterator interleaves with its consumer, so a scope opened in it would capture the consumer's tensors.
    private static IEnumerable<Tensor> TargetImages(ISegmentationDataset target, int count, ImageNormalization normalization)
    {
        var take = count <= 0 ? target.Count : Math.Min(count, target.Count);
        for (var i = 0; i < take; i++)
        {
            var sample = target.Load(i);
            var normalized = normalization.Normalize(sample.Image, sample.Height, sample.Width);
            try
            {
                yield return normalized;
            }
            finally
            {
                normalized.Dispose();
            }
        }
    }
}
