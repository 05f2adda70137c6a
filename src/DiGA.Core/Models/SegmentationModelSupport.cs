using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Models;

/// <summary>Checks and state copies shared by the segmentation models.</summary>
internal static class SegmentationModelSupport
{
    /// <summary>Throws unless <paramref name="images"/> is a float32 <c>[N, 3, H, W]</c> batch on <paramref name="device"/>.</summary>
    public static void ValidateImages(Tensor images, Device device, string modelName)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.dim() != 4 || images.shape[1] != 3)
        {
            throw new ArgumentException($"{modelName} expects images [N, 3, H, W], got [{string.Join(", ", images.shape)}].", nameof(images));
        }

        if (images.dtype != ScalarType.Float32)
        {
            throw new ArgumentException($"{modelName} expects float32 images, got {images.dtype}.", nameof(images));
        }

        if (images.device_type != device.type || (device.index >= 0 && images.device_index != device.index))
        {
            throw new ArgumentException($"{modelName} lives on {device} but the images are on {images.device}.", nameof(images));
        }
    }

    /// <summary>Copies every parameter and buffer of <paramref name="source"/> into the same-named entry of <paramref name="target"/> and mirrors its train/eval mode.</summary>
    public static void CopyState(nn.Module source, nn.Module target)
    {
        using var scope = NewDisposeScope();
        using var guard = no_grad();
        var targetState = target.state_dict();
        foreach (var (name, tensor) in source.state_dict())
        {
            targetState[name].copy_(tensor);
        }

        target.train(source.training);
    }

    /// <summary>Creates a CPU generator seeded with <paramref name="seed"/> for weight initialisation.</summary>
    public static Generator CreateGenerator(long seed) => new Generator((ulong)seed, CPU);
}
