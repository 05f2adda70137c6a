using static TorchSharp.torch;

namespace DiGA.Core.Foundation;

/// <summary>Resizes class logits to a label or image size, as the reference does before every softmax, loss and argmax.</summary>
internal static class ClassLogits
{
    /// <summary>
    /// Bilinearly resizes logits <c>[N, C, h, w]</c> to <c>[N, C, height, width]</c> (align_corners = true), as
    /// <see cref="BilinearResize"/>; the input itself when the size already matches.
    /// </summary>
    /// <returns>The resized logits (a new contiguous tensor, or the input), in the caller's dispose scope.</returns>
    public static Tensor Resize(Tensor logits, long height, long width) => BilinearResize.Apply(logits, height, width, alignCorners: true);

    /// <summary>Resizes logits to the size of labels <c>[N, H, W]</c>.</summary>
    public static Tensor ResizeTo(Tensor logits, Tensor labels) => Resize(logits, labels.shape[1], labels.shape[2]);
}
