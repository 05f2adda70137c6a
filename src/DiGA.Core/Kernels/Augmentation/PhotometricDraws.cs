using static TorchSharp.torch;

namespace DiGA.Core.Kernels.Augmentation;

/// <summary>Every random quantity of one <see cref="PhotometricAugmentation"/> call; the tensors live in the caller's dispose scope.</summary>
/// <param name="ApplyJitter">Per-sample colour-jitter flags <c>[N]</c>, bool.</param>
/// <param name="BrightnessFactor">Brightness factors <c>[N]</c> (the offset is factor − 1).</param>
/// <param name="ContrastFactor">Contrast factors <c>[N]</c>.</param>
/// <param name="SaturationFactor">Saturation factors <c>[N]</c>.</param>
/// <param name="HueFactor">Hue shifts <c>[N]</c> in turns.</param>
/// <param name="Order">The jitter order <c>[4]</c>, int64, a permutation of 0 brightness, 1 contrast, 2 saturation, 3 hue, shared by the batch.</param>
/// <param name="ApplyGrayscale">Per-sample grayscale flags <c>[N]</c>, bool.</param>
/// <param name="ApplyBlur">Per-sample blur flags <c>[N]</c>, bool.</param>
/// <param name="ApplySharpness">Per-sample sharpness flags <c>[N]</c>, bool.</param>
/// <param name="SharpnessFactor">Sharpness blend factors <c>[N]</c>.</param>
internal sealed record PhotometricDraws(
    Tensor ApplyJitter,
    Tensor BrightnessFactor,
    Tensor ContrastFactor,
    Tensor SaturationFactor,
    Tensor HueFactor,
    Tensor Order,
    Tensor ApplyGrayscale,
    Tensor ApplyBlur,
    Tensor ApplySharpness,
    Tensor SharpnessFactor);

/// <summary>Supplies every random quantity of one <see cref="PhotometricAugmentation"/> call.</summary>
/// <param name="options">The call's settings (probabilities and ranges).</param>
/// <param name="count">The number of images N.</param>
/// <param name="device">The images' device.</param>
/// <param name="generator">The call's generator.</param>
/// <returns>The draws, in the caller's dispose scope.</returns>
internal delegate PhotometricDraws PhotometricDrawSource(PhotometricAugmentationOptions options, long count, Device device, Generator generator);
