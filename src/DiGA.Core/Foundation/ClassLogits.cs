using static TorchSharp.torch;

namespace DiGA.Core.Foundation;

/// <summary>Resizes class logits to a label or image size, as the reference does before every softmax, loss and argmax.</summary>
internal static class ClassLogits
{
    /// <summary>
    /// Bilinearly resizes logits <c>[N, C, h, w]</c> to <c>[N, C, height, width]</c> (align_corners = true); the input itself
    /// when the size already matches.
    /// </summary>
    /// <remarks>
    /// The resize is two matrix products, along the width and then along the height, with libtorch's interpolation weights
    /// in the same order: the values of <c>interpolate</c> up to float rounding, 1.7–2.8× faster forward + backward on
    /// CPU at the sizes DiGA trains at (libtorch's bilinear backward is not vectorised; docs/benchmarks.md).
    /// </remarks>
    /// <returns>The resized logits (a new contiguous tensor, or the input), in the caller's dispose scope.</returns>
    public static Tensor Resize(Tensor logits, long height, long width)
    {
        if (logits.shape[2] == height && logits.shape[3] == width)
        {
            return logits;
        }

        using var rows = InterpolationMatrix(logits.shape[2], height, logits);
        using var columns = InterpolationMatrix(logits.shape[3], width, logits);
        using var columnsByInput = columns.t();
        using var widened = logits.matmul(columnsByInput);
        return rows.matmul(widened);
    }

    /// <summary>Resizes logits to the size of labels <c>[N, H, W]</c>.</summary>
    public static Tensor ResizeTo(Tensor logits, Tensor labels) => Resize(logits, labels.shape[1], labels.shape[2]);

    /// <summary>
    /// The <c>[outputs, inputs]</c> matrix of 1-D linear interpolation with align_corners = true, in <paramref name="like"/>'s
    /// dtype and on its device: row i holds 1 − λ at ⌊s⌋ and λ at min(⌊s⌋ + 1, inputs − 1), with s = i·(inputs − 1)/(outputs − 1)
    /// and λ = s − ⌊s⌋, both in float32 as libtorch computes them.
    /// </summary>
    private static Tensor InterpolationMatrix(long inputs, long outputs, Tensor like)
    {
        using var count = Scalars.Create(outputs);
        using var scale = Scalars.Create(outputs > 1 ? (float)(inputs - 1) / (outputs - 1) : 0f);
        using var last = Scalars.Create(inputs - 1);
        using var source = arange(Scalars.Of(0), count, Scalars.One, ScalarType.Float32, like.device).mul_(scale);
        using var lower = source.floor().clamp_max_(last);
        using var upperWeight = source.sub(lower).clamp_(Scalars.Of(0), Scalars.One);
        using var lowerWeight = upperWeight.neg().add_(Scalars.One, Scalars.One);
        using var lowerColumn = lowerWeight.unsqueeze(1);
        using var upperColumn = upperWeight.unsqueeze(1);
        using var lowerLong = lower.to(ScalarType.Int64);
        using var lowerIndex = lowerLong.unsqueeze(1);
        using var upperIndex = lowerIndex.add(Scalars.One, Scalars.One).clamp_max_(last);
        var matrix = zeros([outputs, inputs], ScalarType.Float32, like.device).scatter_add_(1, lowerIndex, lowerColumn).scatter_add_(1, upperIndex, upperColumn);
        if (like.dtype == ScalarType.Float32)
        {
            return matrix;
        }

        using (matrix)
        {
            return matrix.to(like.dtype);
        }
    }
}
