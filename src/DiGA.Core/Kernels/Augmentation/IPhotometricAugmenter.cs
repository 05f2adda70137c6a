using static TorchSharp.torch;

namespace DiGA.Core.Kernels.Augmentation;

/// <summary>Produces the photometric view of a batch: the first half of the cross-domain mixture and the target view of self-training.</summary>
/// <remarks>Implementations never dispose their inputs, record no gradient and draw every random quantity from the given generator. Thread-safe with one generator per thread.</remarks>
public interface IPhotometricAugmenter
{
    /// <summary>Augments a batch.</summary>
    /// <param name="arguments">The images, the stage's settings and the random generator.</param>
    /// <returns>Fresh augmented images of the same shape and dtype, owned by the caller.</returns>
    Tensor Augment(in PhotometricArguments arguments);
}

/// <summary>Inputs of <see cref="IPhotometricAugmenter.Augment"/>.</summary>
/// <param name="Images">Images <c>[N, 3, H, W]</c>, float32, normalised as the model expects, <c>H, W ≥ 3</c>.</param>
/// <param name="Options">The settings of the calling stage (the warm-up and self-training use different strengths).</param>
/// <param name="Generator">The random generator, on the images' device.</param>
public readonly record struct PhotometricArguments(Tensor Images, PhotometricAugmentationOptions Options, Generator Generator);
