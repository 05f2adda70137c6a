using DiGA.Core.Data;
using static TorchSharp.torch;

namespace DiGA.Core.Translation;

/// <summary>Creates the source → target translator of a run, fitted on or loaded for the run's target domain.</summary>
/// <remarks>The pipeline calls it once per stage that needs a translator and disposes what it returns. Thread-safe.</remarks>
public interface IDomainTranslatorFactory
{
    /// <summary>Creates a translator.</summary>
    /// <param name="context">The target images, the normalisation of the images the translator will see and their device.</param>
    /// <returns>A new translator owned by the caller, or <see langword="null"/> when the configuration has none (domain generalisation).</returns>
    IDomainTranslator? Create(DomainTranslatorContext context);
}

/// <summary>What a translator is created for.</summary>
/// <param name="TargetImages">The target training images (their labels, if any, are never read).</param>
/// <param name="Normalization">The normalisation of the images the translator receives and returns (the model's).</param>
/// <param name="Device">The device of those images.</param>
public sealed record DomainTranslatorContext(ISegmentationDataset TargetImages, ImageNormalization Normalization, Device Device);
