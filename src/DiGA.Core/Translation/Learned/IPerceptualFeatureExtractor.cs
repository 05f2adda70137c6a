using static TorchSharp.torch;

namespace DiGA.Core.Translation.Learned;

/// <summary>Extracts the feature maps compared by the perceptual loss of <see cref="TranslatorTrainer"/>.</summary>
/// <remarks>
/// Implementations are frozen (their own parameters receive no gradient) but must let gradients flow back to the
/// input images. They never dispose their input.
/// </remarks>
public interface IPerceptualFeatureExtractor
{
    /// <summary>Computes feature maps of a batch of images.</summary>
    /// <param name="images">Images <c>[N, 3, H, W]</c>, float32, normalised like the translator's input (BGR / 128 by default).</param>
    /// <returns>Fresh feature maps, each <c>[N, C_i, H_i, W_i]</c>, owned by the caller; the count must equal the number of perceptual layer weights.</returns>
    IReadOnlyList<Tensor> Extract(Tensor images);
}
