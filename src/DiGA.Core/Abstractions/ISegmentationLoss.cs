using static TorchSharp.torch;

namespace DiGA.Core;

/// <summary>A per-pixel classification loss for segmentation logits.</summary>
/// <remarks>Implementations never dispose their inputs and are stateless, so one instance may be shared across threads.</remarks>
public interface ISegmentationLoss
{
    /// <summary>Computes the loss of a batch.</summary>
    /// <param name="logits">Logits <c>[N, C, H, W]</c>, float32, already at the label resolution.</param>
    /// <param name="labels">Labels <c>[N, H, W]</c>, int64, values in <c>[0, C)</c> or the ignore index, on the logits' device.</param>
    /// <returns>A fresh float32 scalar owned by the caller; it carries the gradient of <paramref name="logits"/>.</returns>
    Tensor Compute(Tensor logits, Tensor labels);
}
