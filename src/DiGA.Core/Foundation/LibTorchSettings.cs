using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace DiGA.Core.Foundation;

/// <summary>
/// Process-wide libtorch settings that DiGA.Core applies once, before its first convolution: NNPACK is switched off,
/// the same setting as PyTorch's <c>torch.backends.nnpack.set_flags(False)</c>.
/// </summary>
/// <remarks>
/// On CPUs that NNPACK does not support (for example AMD EPYC with AVX-512), libtorch 2.10 tries to initialise NNPACK at
/// every convolution and prints "Could not initialize NNPACK! Reason: Unsupported hardware." each time. Where NNPACK does
/// run, libtorch prefers oneDNN for the convolutions DiGA.Core trains anyway. TorchSharp does not expose the flag, so it is
/// set through libtorch's exported <c>at::Context::setUserEnabledNNPACK</c>; when a libtorch build lacks the export the
/// call is skipped. Thread-safe and idempotent.
/// </remarks>
internal static class LibTorchSettings
{
    private static readonly Lazy<bool> Applied = new(Apply, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Applies the settings once per process.</summary>
    /// <returns>Whether the settings took effect (false when this libtorch build does not export them).</returns>
    public static bool EnsureApplied() => Applied.Value;

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate nint GlobalContext();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void SetContextFlag(nint context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    private static bool Apply()
    {
        // Loads TorchSharp's native libraries, so the probe below finds the same libtorch TorchSharp runs.
        _ = get_num_threads();
        if (!NativeLibrary.TryLoad("torch_cpu", typeof(TorchSharp.torch).Assembly, null, out var library))
        {
            return false;
        }

        var windows = OperatingSystem.IsWindows();
        if (!NativeLibrary.TryGetExport(library, windows ? "?globalContext@at@@YAAEAVContext@1@XZ" : "_ZN2at13globalContextEv", out var globalContext)
            || !NativeLibrary.TryGetExport(library, windows ? "?setUserEnabledNNPACK@Context@at@@QEAAX_N@Z" : "_ZN2at7Context20setUserEnabledNNPACKEb", out var setNnpack))
        {
            return false;
        }

        var context = Marshal.GetDelegateForFunctionPointer<GlobalContext>(globalContext)();
        Marshal.GetDelegateForFunctionPointer<SetContextFlag>(setNnpack)(context, false);
        return true;
    }
}
