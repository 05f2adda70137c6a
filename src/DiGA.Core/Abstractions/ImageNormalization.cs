using System.Text.Json.Serialization;
using DiGA.Core.Models.DeepLab;
using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core;

/// <summary>How 8-bit RGB images become model inputs: channel order, per-channel mean (0–255 scale) and divisor.</summary>
/// <remarks>
/// <c>x = (pixel[order] − Mean) / Divisor</c>. The reference (DiGA, DeepLabV2 Caffe weights) uses BGR order, the Caffe
/// ImageNet mean and a divisor of 128, so inputs lie in about [−0.96, 1.18].
/// </remarks>
/// <param name="ChannelOrder">The channel order the model expects.</param>
/// <param name="Mean">The per-channel mean, in <paramref name="ChannelOrder"/>, on the 0–255 scale.</param>
/// <param name="Divisor">The per-channel divisor, in <paramref name="ChannelOrder"/>, on the 0–255 scale.</param>
public sealed record ImageNormalization(ChannelOrder ChannelOrder, IReadOnlyList<float> Mean, IReadOnlyList<float> Divisor)
{
    private static readonly IReadOnlyList<float> CaffeMean = [104.00698793f, 116.66876762f, 122.67891434f];
    private static readonly IReadOnlyList<float> CaffeDivisor = [128f, 128f, 128f];
    private static readonly IReadOnlyList<float> ImageNetMean = [123.675f, 116.28f, 103.53f];
    private static readonly IReadOnlyList<float> ImageNetStd = [58.395f, 57.12f, 57.375f];

    /// <summary>Gets the reference normalisation: BGR, mean (104.00698793, 116.66876762, 122.67891434), divided by 128.</summary>
    /// <remarks>A new instance per call (equal to the others), so that binding configuration into one options object never changes another's.</remarks>
    public static ImageNormalization Reference => new(ChannelOrder.Bgr, CaffeMean, CaffeDivisor);

    /// <summary>Gets the torchvision ImageNet normalisation: RGB, mean (123.675, 116.28, 103.53), std (58.395, 57.12, 57.375).</summary>
    /// <remarks>A new instance per call (equal to the others), as for <see cref="Reference"/>.</remarks>
    public static ImageNormalization ImageNet => new(ChannelOrder.Rgb, ImageNetMean, ImageNetStd);

    /// <summary>Normalises RGB pixels.</summary>
    /// <param name="rgb">RGB images <c>[N, 3, H, W]</c> or <c>[3, H, W]</c>, uint8 or float on the 0–255 scale.</param>
    /// <returns>A fresh float32 tensor of the same shape in model space, owned by the caller.</returns>
    public Tensor Normalize(Tensor rgb)
    {
        ArgumentNullException.ThrowIfNull(rgb);
        Validate(rgb);
        using var scope = NewDisposeScope();
        var x = rgb.to(ScalarType.Float32);
        if (ChannelOrder == ChannelOrder.Bgr)
        {
            x = x.flip(rgb.dim() - 3);
        }

        var (mean, divisor) = Constants(rgb);
        return x.sub(mean).div_(divisor).MoveToOuterDisposeScope();
    }

    /// <summary>Turns interleaved 8-bit RGB pixels (height × width × 3, row-major, as images are decoded) into one model input.</summary>
    /// <param name="pixels">The pixels; copied.</param>
    /// <param name="height">The image height.</param>
    /// <param name="width">The image width.</param>
    /// <param name="device">The device of the result; <see langword="null"/> is the CPU.</param>
    /// <returns>A fresh float32 tensor <c>[1, 3, height, width]</c> in model space, owned by the caller.</returns>
    /// <exception cref="ArgumentException">The pixel count is not <c>height × width × 3</c>.</exception>
    public Tensor Normalize(byte[] pixels, int height, int width, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (pixels.LongLength != (long)height * width * 3)
        {
            throw new ArgumentException($"Expected {height}×{width}×3 = {(long)height * width * 3} RGB values, got {pixels.LongLength}.", nameof(pixels));
        }

        using var scope = NewDisposeScope();
        var hwc = tensor(pixels, [1, height, width, 3]);
        return Normalize((device is null ? hwc : hwc.to(device)).permute(0, 3, 1, 2)).MoveToOuterDisposeScope();
    }

    /// <summary>Maps model-space tensors back to RGB on the 0–255 scale (not clamped).</summary>
    /// <param name="normalized">Normalised images <c>[N, 3, H, W]</c> or <c>[3, H, W]</c>, float32.</param>
    /// <returns>A fresh float32 RGB tensor owned by the caller.</returns>
    public Tensor Denormalize(Tensor normalized)
    {
        ArgumentNullException.ThrowIfNull(normalized);
        Validate(normalized);
        using var scope = NewDisposeScope();
        var (mean, divisor) = Constants(normalized);
        // x·divisor + mean, written as x·divisor − (−mean) (exact in IEEE arithmetic): TorchSharp's add(Tensor) passes an
        // implicitly converted alpha Scalar that can be finalized mid-call, and this layer is below DiGA.Core.Foundation.Scalars.
        var x = normalized.mul(divisor).sub_(mean.neg());
        if (ChannelOrder == ChannelOrder.Bgr)
        {
            x = x.flip(normalized.dim() - 3);
        }

        return x.MoveToOuterDisposeScope();
    }

    private (Tensor Mean, Tensor Divisor) Constants(Tensor like)
    {
        long[] shape = like.dim() == 4 ? [1, 3, 1, 1] : [3, 1, 1];
        var mean = tensor(Mean.ToArray(), device: like.device).reshape(shape);
        var divisor = tensor(Divisor.ToArray(), device: like.device).reshape(shape);
        return (mean, divisor);
    }

    private void Validate(Tensor images)
    {
        if (Mean.Count != 3 || Divisor.Count != 3)
        {
            throw new InvalidOperationException($"{nameof(ImageNormalization)} needs 3 mean and 3 divisor values, got {Mean.Count} and {Divisor.Count}.");
        }

        if ((images.dim() != 3 && images.dim() != 4) || images.shape[images.dim() - 3] != 3)
        {
            throw new ArgumentException($"Expected images [N, 3, H, W] or [3, H, W], got [{string.Join(", ", images.shape)}].", nameof(images));
        }
    }
}

/// <summary>The channel order of model inputs.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ChannelOrder>))]
public enum ChannelOrder
{
    /// <summary>Red, green, blue.</summary>
    Rgb,

    /// <summary>Blue, green, red (the reference's Caffe order).</summary>
    Bgr,
}
