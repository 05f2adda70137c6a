using static TorchSharp.torch;

namespace DiGA.Core;

/// <summary>Renders source images in the style of the target domain: the second input of the cross-domain mixture.</summary>
/// <remarks>
/// Inputs and outputs are normalised like the segmentation model's input. Implementations never dispose their input and run
/// without gradients. Disposing a translator releases what it fitted or loaded (statistics, networks).
/// </remarks>
public interface IDomainTranslator : IDisposable
{
    /// <summary>Translates a batch of source images.</summary>
    /// <param name="arguments">The source images and the random generator.</param>
    /// <returns>Fresh target-styled images <c>[N, 3, H, W]</c>, float32, owned by the caller.</returns>
    Tensor Translate(in TranslationArguments arguments);
}

/// <summary>Inputs of <see cref="IDomainTranslator.Translate"/>.</summary>
/// <param name="SourceImages">Source images <c>[N, 3, H, W]</c>, float32, normalised.</param>
/// <param name="Generator">The random generator for translators that draw (for example a random target style per image); on the images' device.</param>
public readonly record struct TranslationArguments(Tensor SourceImages, Generator? Generator = null);
