using DiGA.Core.Kernels.Augmentation;
using DiGA.Core.Translation;

namespace DiGA.Core.Training.Pipeline;

/// <summary>The pluggable pieces <see cref="DiGAPipeline"/> composes; every one is an interface with a default implementation.</summary>
/// <param name="SupervisedLoss">The supervised loss of every stage (cross-entropy or OHEM by default).</param>
/// <param name="Photometric">The photometric view.</param>
/// <param name="Distiller">The symmetric distillation loss.</param>
/// <param name="Mixer">The cross-domain mixer.</param>
/// <param name="Selector">The pseudo-label selector of self-training.</param>
/// <param name="Translators">Creates the source → target translator of each stage that needs one.</param>
public sealed record DiGAComponents(
    ISegmentationLoss SupervisedLoss,
    IPhotometricAugmenter Photometric,
    ISymmetricDistiller Distiller,
    ICrossDomainMixer Mixer,
    IPseudoLabelSelector Selector,
    IDomainTranslatorFactory Translators);
