using DiGA.Core.Foundation;
using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Kernels.Mixing;

/// <summary>Draws ClassMix masks: per image, a uniformly random half of the label values present, plus the ignore region.</summary>
/// <remarks>
/// For each image the set <c>U</c> of values present in its label map (the ignore value included when present, as
/// <c>torch.unique</c> does in the reference) is sampled without replacement to <c>⌊|U|/2⌋</c> values; the mask is true where the
/// label is one of them or is the ignore value, so the mask of an image labelled 255 everywhere is the whole image (also when the
/// whole batch is; see docs/fidelity.md). The whole batch is handled with tensor operations on the labels' device (presence over
/// 256 slots, random keys, ranks by sorting), without host synchronisation.
/// </remarks>
public static class ClassMixMask
{
    private const int Slots = 256;

    /// <summary>Draws one mask per image.</summary>
    /// <param name="labels">Labels <c>[N, H, W]</c>, int64, values in <c>[0, 255]</c>; not disposed.</param>
    /// <param name="generator">The random generator; it must live on the labels' device.</param>
    /// <param name="ignoreIndex">The ignore value, always part of the mask.</param>
    /// <returns>A fresh bool mask <c>[N, H, W]</c> owned by the caller.</returns>
    /// <exception cref="ArgumentException">The labels are not <c>[N, H, W]</c> int64, or <paramref name="ignoreIndex"/> is outside <c>[0, 255]</c>.</exception>
    public static Tensor Create(Tensor labels, Generator generator, int ignoreIndex = 255)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(generator);
        if (labels.dim() != 3 || labels.dtype != ScalarType.Int64)
        {
            throw new ArgumentException($"Expected labels [N, H, W] int64, got {labels.dtype} [{string.Join(", ", labels.shape)}].", nameof(labels));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(ignoreIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ignoreIndex, Slots - 1);

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return FromClasses(labels, DrawClasses(labels, generator), ignoreIndex).MoveToOuterDisposeScope();
    }

    /// <summary>Draws the class subsets: per image, a uniformly random half (rounded down) of the label values present.</summary>
    /// <param name="labels">Labels <c>[N, H, W]</c>, int64, values in <c>[0, 255]</c>.</param>
    /// <param name="generator">The random generator, on the labels' device.</param>
    /// <returns>The chosen values <c>[N, 256]</c>, bool (slot v true when value v is chosen), in the caller's dispose scope.</returns>
    internal static Tensor DrawClasses(Tensor labels, Generator generator)
    {
        var n = labels.shape[0];
        var flat = labels.reshape(n, -1);
        var present = zeros(n, Slots, ScalarType.Bool, labels.device).scatter_(1, flat, ones_like(flat, ScalarType.Bool));
        var half = present.sum(1, keepdim: true).div(Scalars.Of(2), rounding_mode: RoundingMode.floor);

        // Random keys for present values, +inf-like for absent ones: the ranks of a random permutation of U.
        var keys = rand(n, Slots, ScalarType.Float32, labels.device, generator: generator);
        keys = where(present, keys, full_like(keys, Scalars.Of(2.0f)));
        var order = keys.argsort(1);
        var positions = arange(Scalars.Of(0), Scalars.Of(Slots), Scalars.One, ScalarType.Int64, labels.device).expand(n, Slots);
        var rank = empty_like(order).scatter_(1, order, positions);
        return present.logical_and(rank.lt(half));
    }

    /// <summary>The mask of chosen classes: true where the label is a chosen value or the ignore value.</summary>
    /// <param name="labels">Labels <c>[N, H, W]</c>, int64, values in <c>[0, 255]</c>.</param>
    /// <param name="classes">The chosen values <c>[N, 256]</c>, bool, as <see cref="DrawClasses"/> returns them; not modified.</param>
    /// <param name="ignoreIndex">The ignore value, always part of the mask.</param>
    /// <returns>The mask <c>[N, H, W]</c>, bool, in the caller's dispose scope.</returns>
    internal static Tensor FromClasses(Tensor labels, Tensor classes, int ignoreIndex)
    {
        var n = labels.shape[0];
        var selected = classes.clone();
        selected.index_fill_(1, tensor(new long[] { ignoreIndex }, device: labels.device), Scalars.Of(true));
        return selected.gather(1, labels.reshape(n, -1)).reshape(labels.shape);
    }

    /// <summary>Composes two images (and optionally two label maps) through a mask.</summary>
    /// <param name="mask">The mask <c>[N, H, W]</c>, bool: true where <paramref name="foreground"/> is kept.</param>
    /// <param name="foreground">Images <c>[N, 3, H, W]</c> kept where the mask is true.</param>
    /// <param name="background">Images <c>[N, 3, H, W]</c> shown where the mask is false.</param>
    /// <returns>A fresh tensor <c>mask·foreground + (1 − mask)·background</c>, owned by the caller.</returns>
    internal static Tensor ComposeImages(Tensor mask, Tensor foreground, Tensor background)
    {
        using var scope = NewDisposeScope();

        // lerp with 0/1 weights is exact (libtorch evaluates end − (end − start)·(1 − w) for w ≥ 0.5) and, unlike a broadcast
        // where, vectorised.
        return background.lerp(foreground, mask.unsqueeze(1).to(foreground.dtype)).MoveToOuterDisposeScope();
    }
}
