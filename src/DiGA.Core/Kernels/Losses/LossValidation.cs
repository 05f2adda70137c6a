using static TorchSharp.torch;

namespace DiGA.Core.Kernels.Losses;

/// <summary>Shape checks shared by the segmentation losses.</summary>
internal static class LossValidation
{
    public static void Validate(Tensor logits, Tensor labels)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(labels);
        if (logits.dim() != 4)
        {
            throw new ArgumentException($"Expected logits [N, C, H, W], got [{string.Join(", ", logits.shape)}].", nameof(logits));
        }

        if (labels.dim() != 3 || labels.shape[0] != logits.shape[0] || labels.shape[1] != logits.shape[2] || labels.shape[2] != logits.shape[3])
        {
            throw new ArgumentException(
                $"Expected labels [N, H, W] = [{logits.shape[0]}, {logits.shape[2]}, {logits.shape[3]}] to match the logits, got [{string.Join(", ", labels.shape)}].",
                nameof(labels));
        }

        if (labels.dtype != ScalarType.Int64)
        {
            throw new ArgumentException($"Expected int64 labels, got {labels.dtype}.", nameof(labels));
        }
    }
}
