using System.ComponentModel.DataAnnotations;
using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Foundation;

/// <summary>The argument checks shared by the library's public entry points, with messages that name the argument and the shape found.</summary>
internal static class Guard
{
    /// <summary>Checks an image batch: <c>[N, 3, H, W]</c>, floating point, <c>H, W ≥ <paramref name="minimumSize"/></c>.</summary>
    /// <exception cref="ArgumentNullException">The tensor is null.</exception>
    /// <exception cref="ArgumentException">The shape or dtype is wrong.</exception>
    public static void Images(Tensor? images, string parameterName, long minimumSize = 1)
    {
        if (images is null)
        {
            throw new ArgumentNullException(parameterName, "The images tensor is null.");
        }

        if (images.dim() != 4 || images.shape[1] != 3 || images.shape[2] < minimumSize || images.shape[3] < minimumSize || !images.is_floating_point())
        {
            var size = minimumSize > 1 ? $" with H, W ≥ {minimumSize}" : string.Empty;
            throw new ArgumentException($"Expected floating-point images [N, 3, H, W]{size}, got {images.dtype} [{string.Join(", ", images.shape)}].", parameterName);
        }
    }

    /// <summary>Checks the images a model receives: <see cref="Images"/>, float32 and on the model's device.</summary>
    /// <exception cref="ArgumentException">The shape, dtype or device is wrong.</exception>
    public static void ModelInput(Tensor? images, Device device, string modelName, string parameterName)
    {
        Images(images, parameterName);
        if (images!.dtype != ScalarType.Float32)
        {
            throw new ArgumentException($"{modelName} expects float32 images, got {images.dtype}.", parameterName);
        }

        if (images.device_type != device.type || (device.index >= 0 && images.device_index != device.index))
        {
            throw new ArgumentException($"{modelName} lives on {device} but the images are on {images.device}.", parameterName);
        }
    }

    /// <summary>Checks an options object's DataAnnotations, so components built with <c>new</c> fail as fast as validated DI options.</summary>
    /// <exception cref="ArgumentException">A property breaks its rule; the message names the options type and the property.</exception>
    public static void Options(object options, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(options, parameterName);
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
        {
            throw new ArgumentException($"Invalid {options.GetType().Name}: {string.Join(" ", results.Select(result => result.ErrorMessage))}", parameterName);
        }
    }
}
