using DiGA.Core.Kernels.Augmentation;

namespace DiGA.Core.Training.Stages;

/// <summary>The pluggable pieces a training stage composes.</summary>
/// <param name="Loss">The supervised loss (cross-entropy or OHEM).</param>
/// <param name="Photometric">The photometric view.</param>
/// <param name="Distiller">The symmetric distillation loss.</param>
/// <param name="Mixer">The cross-domain mixer of both stages.</param>
/// <param name="Selector">The pseudo-label selector of self-training.</param>
/// <param name="Translator">The source → target translator, or <see langword="null"/> for none (domain generalisation); owned by the caller.</param>
internal sealed record StageComponents(
    ISegmentationLoss Loss,
    IPhotometricAugmenter Photometric,
    ISymmetricDistiller Distiller,
    ICrossDomainMixer Mixer,
    IPseudoLabelSelector Selector,
    IDomainTranslator? Translator);
