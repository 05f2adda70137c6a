using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Training;

/// <summary>Small tensor helpers shared by the stages.</summary>
internal static class StageMath
{
    /// <summary>Upsamples logits <c>[N, C, h, w]</c> bilinearly (align_corners = true, as the reference) to the size of labels <c>[N, H, W]</c>.</summary>
    public static Tensor UpsampleTo(Tensor logits, Tensor labels) =>
        logits.shape[2] == labels.shape[1] && logits.shape[3] == labels.shape[2]
            ? logits
            : nn.functional.interpolate(logits, [labels.shape[1], labels.shape[2]], mode: InterpolationMode.Bilinear, align_corners: true);
}
