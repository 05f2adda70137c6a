using DiGA.Core.Data;
using DiGA.Core.Translation.Learned;
using Microsoft.Extensions.Options;
using static TorchSharp.torch;

namespace DiGA.Core.Translation;

/// <summary>Builds the configured <see cref="IDomainTranslator"/>: fits the training-free translators on target images, or loads the learned one.</summary>
/// <param name="options">The translator options; read at every call.</param>
public sealed class DomainTranslatorFactory(TranslatorOptions options) : IDomainTranslatorFactory
{
    /// <inheritdoc />
    /// <exception cref="OptionsValidationException">The learned translator has no weights folder, or the folder lacks a weights file.</exception>
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
    /// <exception cref="OptionsValidationException">The learned translator has no weights folder, or the folder lacks a weights file.</exception>
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
                return LearnedTranslator.Load(LearnedWeights(options), new LearnedTranslatorOptions { Device = device.ToString() });
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

    // Never falls back to a training-free translator: a run configured for the learned one must not silently train with another.
    private static string LearnedWeights(TranslatorOptions options)
    {
        const string Alternatives = "or choose a translator that needs no training with DiGA:Translator:Kind = Reinhard or Fourier (FDA), both fitted on the target images";
        var directory = options.LearnedWeightsDirectory;
        if (string.IsNullOrWhiteSpace(directory))
        {
            throw Invalid(
                "The learned translator (DiGA:Translator:Kind = Learned, the translator of the reference presets) needs the weights trained by stage 0, "
                + $"and none are configured. Set DiGA:Translator:LearnedWeightsDirectory (TranslatorOptions.LearnedWeightsDirectory) to the folder holding {LearnedTranslator.EncoderFileName} "
                + $"and {LearnedTranslator.DecoderFileName}, which DiGAPipeline.TrainTranslatorAsync writes, {Alternatives}.");
        }

        var missing = new[] { LearnedTranslator.EncoderFileName, LearnedTranslator.DecoderFileName }.Where(file => !File.Exists(Path.Combine(directory, file))).ToArray();
        return missing.Length == 0
            ? directory
            : throw Invalid(
                $"The learned translator (DiGA:Translator:Kind = Learned) finds no {string.Join(" and no ", missing)} in DiGA:Translator:LearnedWeightsDirectory '{directory}'. "
                + $"Point that option at the folder DiGAPipeline.TrainTranslatorAsync wrote (stage 0), {Alternatives}.");
    }

    private static OptionsValidationException Invalid(string message) => new(Options.DefaultName, typeof(TranslatorOptions), [message]);

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
