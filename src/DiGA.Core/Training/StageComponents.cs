namespace DiGA.Core.Training;

/// <summary>The pluggable pieces a training stage composes.</summary>
/// <param name="Loss">The supervised loss (cross-entropy or OHEM).</param>
/// <param name="Distiller">The symmetric distillation loss.</param>
/// <param name="Mixer">The cross-domain mixer of both stages.</param>
/// <param name="Selector">The pseudo-label selector of self-training.</param>
/// <param name="Translator">The source → target translator, or <see langword="null"/> for none (domain generalisation).</param>
public sealed record StageComponents(
    ISegmentationLoss Loss,
    ISymmetricDistiller Distiller,
    ICrossDomainMixer Mixer,
    IPseudoLabelSelector Selector,
    IDomainTranslator? Translator);
