using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Foundation;

/// <summary>Resolves device names from options into TorchSharp devices, and applies DiGA.Core's process-wide libtorch settings on first use.</summary>
public static class TorchDevices
{
    /// <summary>Resolves a device name.</summary>
    /// <param name="name"><c>auto</c> (CUDA when available, else CPU), <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</param>
    /// <returns>The device.</returns>
    /// <exception cref="ArgumentException">The name is not one of the accepted forms, or CUDA was asked for and is not available.</exception>
    public static Device Resolve(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        LibTorchSettings.EnsureApplied();
        var normalized = name.Trim().ToLowerInvariant();
        if (normalized == "auto")
        {
            return cuda.is_available() ? CUDA : CPU;
        }

        if (normalized == "cpu")
        {
            return CPU;
        }

        if (normalized.StartsWith("cuda", StringComparison.Ordinal))
        {
            if (!cuda.is_available())
            {
                throw new ArgumentException($"Device '{name}' was requested but CUDA is not available. Reference the TorchSharp-cuda-windows or TorchSharp-cuda-linux backend, or use 'cpu'.", nameof(name));
            }

            return new Device(normalized);
        }

        throw new ArgumentException($"Unknown device '{name}'. Use 'auto', 'cpu', 'cuda' or 'cuda:N'.", nameof(name));
    }
}
