using DiGA.Core.Foundation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Kernels.Augmentation;

/// <summary>The reference photometric view <c>Photo_β(x) = β·(2A(x) − 1) + (1 − β)·x</c> with kornia 0.5.8 semantics.</summary>
/// <remarks>
/// <c>A</c> = ColorJitter (brightness, contrast, saturation, hue in one random order shared by the batch) → RandomGrayscale →
/// Gaussian blur (3×3, σ = 2, reflect padding) → RandomSharpness, each drawn per sample with its own probability. As in the
/// reference, <c>A</c> runs directly on the normalised tensor (channel 0 plays "R"), with kornia's [0, 1] clamps, so even a sample
/// where no operation fires becomes <c>(1 + β)x − β</c>. Every operation is computed for the whole batch and selected per sample on
/// the device: no host synchronisation. All randomness comes from the generator argument. Thread-safe with one generator per thread.
/// </remarks>
public sealed class PhotometricAugmentation
{
    private readonly PhotometricAugmentationOptions _options;

    /// <summary>Initialises the augmentation.</summary>
    /// <param name="options">The options; <see langword="null"/> uses the reference warm-up values.</param>
    /// <param name="logger">An optional logger for the configuration message.</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public PhotometricAugmentation(PhotometricAugmentationOptions? options = null, ILogger<PhotometricAugmentation>? logger = null)
    {
        _options = options ?? new PhotometricAugmentationOptions();
        Guard.Options(_options, nameof(options));
        (logger ?? NullLogger<PhotometricAugmentation>.Instance).Created(
            nameof(PhotometricAugmentation),
            $"beta {_options.Beta}, jitter p {_options.ColorJitterProbability}, grayscale p {_options.GrayscaleProbability}, blur p {_options.BlurProbability}, sharpness {(_options.SharpnessEnabled ? _options.SharpnessProbability : 0)}");
    }

    /// <summary>Augments a batch.</summary>
    /// <param name="images">Images <c>[N, 3, H, W]</c>, float32, normalised as the model expects, <c>H, W ≥ 3</c>; not disposed.</param>
    /// <param name="generator">The random generator; it must live on the images' device.</param>
    /// <returns>Fresh augmented images of the same shape, owned by the caller; no gradient is recorded.</returns>
    /// <exception cref="ArgumentException">The images are not <c>[N, 3, H, W]</c> floating point with <c>H, W ≥ 3</c>.</exception>
    public Tensor Augment(Tensor images, Generator generator)
    {
        Guard.Images(images, nameof(images), minimumSize: 3);
        ArgumentNullException.ThrowIfNull(generator);

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var draws = Draw(images.shape[0], images.device, generator);
        var augmented = PhotometricOps.Apply(images, draws, _options.SharpnessEnabled);
        return PhotometricOps.Blend(images, augmented, _options.Beta).MoveToOuterDisposeScope();
    }

    /// <summary>Draws every random quantity of one call, in a fixed order, from <paramref name="generator"/>.</summary>
    internal PhotometricDraws Draw(long n, Device device, Generator generator)
    {
        Tensor Uniform(double low, double high) => rand(n, ScalarType.Float32, device, generator: generator).mul(high - low).add(low);
        Tensor Flags(double probability) => rand(n, ScalarType.Float32, device, generator: generator).lt(probability);

        var applyJitter = Flags(_options.ColorJitterProbability);
        var brightness = Uniform(1.0 - _options.Brightness, 1.0 + _options.Brightness);
        var contrast = Uniform(1.0 - _options.Contrast, 1.0 + _options.Contrast);
        var saturation = Uniform(1.0 - _options.Saturation, 1.0 + _options.Saturation);
        var hue = Uniform(-_options.Hue, _options.Hue);
        var order = randperm(4, ScalarType.Int64, device, generator: generator);
        var applyGrayscale = Flags(_options.GrayscaleProbability);
        var applyBlur = Flags(_options.BlurProbability);
        var applySharpness = Flags(_options.SharpnessProbability);
        var sharpness = Uniform(0.0, _options.Sharpness);
        return new PhotometricDraws(applyJitter, brightness, contrast, saturation, hue, order, applyGrayscale, applyBlur, applySharpness, sharpness);
    }
}
