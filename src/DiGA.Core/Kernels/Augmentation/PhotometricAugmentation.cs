using DiGA.Core.Foundation;
using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Kernels.Augmentation;

/// <summary>The reference photometric view <c>Photo_β(x) = β·(2A(x) − 1) + (1 − β)·x</c> with kornia 0.5.8 semantics.</summary>
/// <remarks>
/// <c>A</c> = ColorJitter (brightness, contrast, saturation, hue in one random order shared by the batch) → RandomGrayscale →
/// Gaussian blur (3×3, σ = 2, reflect padding) → RandomSharpness, each drawn per sample with its own probability. As in the
/// reference, <c>A</c> runs directly on the normalised tensor (channel 0 plays "R"), with kornia's [0, 1] clamps, so even a sample
/// where no operation fires becomes <c>(1 + β)x − β</c>. Each operation runs only on the samples whose draw fired (the call reads
/// its 4N flags and the jitter order to the host once), and each jitter operation once, in the drawn order. All randomness comes
/// from the generator argument. Stateless and thread-safe with one
/// generator per thread.
/// </remarks>
public sealed class PhotometricAugmentation : IPhotometricAugmenter
{
    private readonly PhotometricDrawSource _draw;

    /// <summary>Initialises the augmentation; every random quantity of a call comes from the call's generator.</summary>
    public PhotometricAugmentation()
        : this(Draw)
    {
    }

    /// <summary>Initialises the augmentation with another source of its random quantities.</summary>
    /// <param name="draw">Called once per <see cref="Augment"/> call for all of its random quantities; a source that replays
    /// recorded draws makes a call reproduce another implementation's call exactly (stage-level parity tests).</param>
    internal PhotometricAugmentation(PhotometricDrawSource draw) => _draw = draw;

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The images are not <c>[N, 3, H, W]</c> floating point with <c>H, W ≥ 3</c>, or an option is out of range.</exception>
    public Tensor Augment(in PhotometricArguments arguments)
    {
        var images = arguments.Images;
        Guard.Images(images, nameof(arguments), minimumSize: 3);
        ArgumentNullException.ThrowIfNull(arguments.Generator, nameof(arguments));
        var options = arguments.Options ?? throw new ArgumentNullException(nameof(arguments), "The photometric options are null.");
        Guard.Options(options, nameof(arguments));

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var draws = _draw(options, images.shape[0], images.device, arguments.Generator);
        var augmented = PhotometricOps.Apply(images, draws, options.SharpnessEnabled);
        return PhotometricOps.Blend(images, augmented, options.Beta).MoveToOuterDisposeScope();
    }

    /// <summary>Draws every random quantity of one call, in a fixed order, from <paramref name="generator"/>.</summary>
    internal static PhotometricDraws Draw(PhotometricAugmentationOptions options, long n, Device device, Generator generator)
    {
        Tensor Uniform(double low, double high)
        {
            using var width = Scalars.Create(high - low);
            using var offset = Scalars.Create(low);
            return rand(n, ScalarType.Float32, device, generator: generator).mul(width).add(offset, Scalars.One);
        }

        Tensor Flags(double probability)
        {
            using var threshold = Scalars.Create(probability);
            return rand(n, ScalarType.Float32, device, generator: generator).lt(threshold);
        }

        var applyJitter = Flags(options.ColorJitterProbability);
        var brightness = Uniform(1.0 - options.Brightness, 1.0 + options.Brightness);
        var contrast = Uniform(1.0 - options.Contrast, 1.0 + options.Contrast);
        var saturation = Uniform(1.0 - options.Saturation, 1.0 + options.Saturation);
        var hue = Uniform(-options.Hue, options.Hue);
        var order = randperm(4, ScalarType.Int64, device, generator: generator);
        var applyGrayscale = Flags(options.GrayscaleProbability);
        var applyBlur = Flags(options.BlurProbability);
        var applySharpness = Flags(options.SharpnessProbability);
        var sharpness = Uniform(0.0, options.Sharpness);
        return new PhotometricDraws(applyJitter, brightness, contrast, saturation, hue, order, applyGrayscale, applyBlur, applySharpness, sharpness);
    }
}
