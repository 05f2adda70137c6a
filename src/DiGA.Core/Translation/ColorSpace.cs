using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Translation;

/// <summary>Full-range ITU-R BT.601 (JPEG) YCbCr conversion of RGB tensors on the 0–255 scale.</summary>
internal static class ColorSpace
{
    private static readonly float[] ForwardMatrix =
    [
        0.299f, 0.587f, 0.114f,
        -0.168736f, -0.331264f, 0.5f,
        0.5f, -0.418688f, -0.081312f,
    ];

    private static readonly float[] InverseMatrix =
    [
        1f, 0f, 1.402f,
        1f, -0.344136f, -0.714136f,
        1f, 1.772f, 0f,
    ];

    private static readonly float[] Offset = [0f, 128f, 128f];

    /// <summary>RGB <c>[N, 3, H, W]</c> → YCbCr <c>[N, 3, H, W]</c> (Cb, Cr centred on 128).</summary>
    public static Tensor RgbToYCbCr(Tensor rgb)
    {
        using var scope = NewDisposeScope();
        var weight = tensor(ForwardMatrix, [3, 3, 1, 1], device: rgb.device, dtype: rgb.dtype);
        var bias = tensor(Offset, device: rgb.device, dtype: rgb.dtype);
        return nn.functional.conv2d(rgb, weight, bias).MoveToOuterDisposeScope();
    }

    /// <summary>YCbCr <c>[N, 3, H, W]</c> → RGB <c>[N, 3, H, W]</c> (not clamped).</summary>
    public static Tensor YCbCrToRgb(Tensor ycbcr)
    {
        using var scope = NewDisposeScope();
        var weight = tensor(InverseMatrix, [3, 3, 1, 1], device: ycbcr.device, dtype: ycbcr.dtype);
        var offset = tensor(Offset, [1, 3, 1, 1], device: ycbcr.device, dtype: ycbcr.dtype);
        return nn.functional.conv2d(ycbcr - offset, weight).MoveToOuterDisposeScope();
    }
}
