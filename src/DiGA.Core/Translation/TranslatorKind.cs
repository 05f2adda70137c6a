using DiGA.Core.Translation.Learned;

namespace DiGA.Core.Translation;

/// <summary>The built-in source → target translators.</summary>
public enum TranslatorKind
{
    /// <summary>No translator: warm-up without the cross-domain mixture (domain generalisation).</summary>
    None,

    /// <summary>Reinhard colour-statistics transfer (<see cref="ReinhardTranslator"/>), fitted on target images; the synthetic demo's translator.</summary>
    Reinhard,

    /// <summary>Fourier low-frequency amplitude swap (<see cref="FourierTranslator"/>), fitted on target images.</summary>
    Fourier,

    /// <summary>The learned encoder/decoder translator of the reference (<see cref="LearnedTranslator"/>), loaded from the weights stage 0 trained (<see cref="TranslatorOptions.LearnedWeightsDirectory"/>); the reference presets' translator.</summary>
    Learned,
}
