using static TorchSharp.torch;

namespace DiGA.Core;

/// <summary>Builds ClassMix masks and the mixed images of both DiGA stages.</summary>
/// <remarks>
/// Warm-up (CrDoMix): the foreground is the photometrically augmented source, the background the same source image rendered in
/// target style, and both label maps are the source labels. Self-training: the foreground is the source batch with its labels,
/// the background the augmented target batch with its selected pseudo-labels. Implementations never dispose the argument tensors
/// and keep no state besides their options; all randomness comes from <see cref="CrossDomainMixArguments.Generator"/>.
/// </remarks>
public interface ICrossDomainMixer
{
    /// <summary>Mixes the foreground into the background on a random half of the foreground's classes plus its ignore region.</summary>
    /// <param name="arguments">The images, labels and random generator.</param>
    /// <returns>The mixed batch, owned by the caller.</returns>
    MixedBatch Mix(in CrossDomainMixArguments arguments);
}

/// <summary>Inputs of <see cref="ICrossDomainMixer.Mix"/>. Images are <c>[N, 3, H, W]</c> float32, labels <c>[N, H, W]</c> int64 with ignore index 255, all on one device.</summary>
/// <param name="Foreground">The images whose selected classes are kept.</param>
/// <param name="ForegroundLabels">The labels that define the class mask.</param>
/// <param name="Background">The images shown outside the mask.</param>
/// <param name="Generator">The random generator for the class subsets; it must live on the tensors' device (CPU generators for CPU tensors).</param>
public readonly record struct CrossDomainMixArguments(Tensor Foreground, Tensor ForegroundLabels, Tensor Background, Generator? Generator)
{
    /// <summary>Gets the labels of the background; when set, <see cref="MixedBatch.Labels"/> composes both label maps.</summary>
    public Tensor? BackgroundLabels { get; init; }
}

/// <summary>The result of <see cref="ICrossDomainMixer.Mix"/>; owns its tensors.</summary>
public sealed class MixedBatch : IDisposable
{
    /// <summary>Initialises a mixed batch that takes ownership of the tensors.</summary>
    /// <param name="images">The mixed images <c>[N, 3, H, W]</c>, float32.</param>
    /// <param name="mask">The mask <c>[N, H, W]</c>, bool: true where the foreground is kept.</param>
    /// <param name="labels">The mixed labels <c>[N, H, W]</c>, int64, or <see langword="null"/> when no background labels were given.</param>
    public MixedBatch(Tensor images, Tensor mask, Tensor? labels)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(mask);
        Images = images;
        Mask = mask;
        Labels = labels;
    }

    /// <summary>Gets the mixed images <c>[N, 3, H, W]</c>, float32.</summary>
    public Tensor Images { get; }

    /// <summary>Gets the mask <c>[N, H, W]</c>, bool: true where the foreground is kept.</summary>
    public Tensor Mask { get; }

    /// <summary>Gets the mixed labels <c>[N, H, W]</c>, int64 with ignore index 255, when background labels were given.</summary>
    public Tensor? Labels { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        Images.Dispose();
        Mask.Dispose();
        Labels?.Dispose();
    }
}
