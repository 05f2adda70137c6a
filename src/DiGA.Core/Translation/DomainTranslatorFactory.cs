using DiGA.Core.Data;
using DiGA.Core.Translation.Learned;
using static TorchSharp.torch;

namespace DiGA.Core.Translation;

/// <summary>Builds the configured <see cref="IDomainTranslator"/>: fits the training-free translators on target images, or loads the learned one.</summary>
public static class DomainTranslatorFactory
{
    /// <summary>Creates the translator <paramref name="options"/> describe.</summary>
    /// <param name="options">The translator options.</param>
    /// <param name="target">The target images the training-free translators gather statistics from (labels are not read).</param>
    /// <param name="normalization">The normalisation of the images the translator will see (the model's).</param>
    /// <param name="device">The device of those images (the learned translator is loaded there; fitted statistics follow the images).</param>
    /// <returns>
    /// The translator, or <see langword="null"/> for <see cref="TranslatorKind.None"/>. It owns what it fitted or loaded: dispose it
    /// (it implements <see cref="IDisposable"/>) when done.
    /// </returns>
    /// <exception cref="ArgumentException">The learned translator has no weights folder.</exception>
    public static IDomainTranslator? Create(TranslatorOptions options, ISegmentationDataset target, ImageNormalization normalization, Device device)
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
                var reinhard = new ReinhardTranslator(colours, new ReinhardTranslatorOptions { Normalization = normalization, Selection = options.Reinhard.Selection });
                return new OwningTranslator(reinhard, colours);
            case TranslatorKind.Fourier:
                var amplitudes = AmplitudeSpectrumBank.Fit(TargetImages(target, options.FitImageCount, normalization), options.Fourier.Beta, normalization);
                var fourier = new FourierTranslator(amplitudes, new FourierTranslatorOptions { Beta = options.Fourier.Beta, Normalization = normalization, Selection = options.Fourier.Selection });
                return new OwningTranslator(fourier, amplitudes);
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
            Tensor normalized;
            using (var hwc = tensor(sample.Image, [1, sample.Height, sample.Width, 3]))
            using (var rgb = hwc.permute(0, 3, 1, 2))
            {
                normalized = normalization.Normalize(rgb);
            }

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

    private sealed class OwningTranslator(IDomainTranslator inner, IDisposable owned) : IDomainTranslator, IDisposable
    {
        public Tensor Translate(in TranslationArguments arguments) => inner.Translate(arguments);

        public void Dispose() => owned.Dispose();
    }
}
