using System.Globalization;
using System.Runtime.InteropServices;

namespace DiGA.Core.Foundation;

/// <summary>
/// Applies the settings of <c>NativeMemoryOptions</c> to glibc's allocator through <c>mallopt</c>, what the <c>MALLOC_*</c>
/// environment variables do when they are set before the process starts. Once per process, thread-safe; a no-op off glibc.
/// </summary>
/// <remarks>
/// The retention settings apply to every later allocation and free, whenever they are set. The arena cap does not: set
/// while the process has at most eight arenas, it stops further arenas from being created (existing ones stay); once the
/// ninth exists, glibc has fixed its limit at eight per core and ignores <c>M_ARENA_MAX</c>. A .NET host usually has
/// more than eight arenas before any pipeline exists.
/// </remarks>
internal static class NativeAllocator
{
    /// <summary><c>M_TRIM_THRESHOLD</c> in glibc's <c>malloc.h</c>; −1 turns trimming off.</summary>
    internal const int TrimThresholdParameter = -1;

    /// <summary><c>M_TOP_PAD</c>: the free space kept at the top of a heap when it grows or is trimmed.</summary>
    internal const int TopPadParameter = -2;

    /// <summary><c>M_MMAP_MAX</c>: the number of blocks served by their own memory map; 0 serves every block from a heap.</summary>
    internal const int MmapMaxParameter = -4;

    /// <summary><c>M_ARENA_MAX</c>: the cap on arenas.</summary>
    internal const int ArenaMaxParameter = -8;

    /// <summary>The size of the heaps of glibc's secondary arenas on 64-bit systems (<c>HEAP_MAX_SIZE</c>, 2 × 32 MiB).</summary>
    internal const int HeapSize = 64 << 20;

    private static readonly Lock Gate = new();
    private static NativeAllocatorSettings? _applied;

    /// <summary>Applies the settings unless settings were applied before in this process.</summary>
    /// <param name="arenaLimit">The cap on arenas; 0 leaves it to glibc.</param>
    /// <param name="retainFreedMemory">Whether to turn memory maps and trimming off and pad the heaps.</param>
    /// <returns>What is in effect: the first call's outcome, whatever later calls ask for.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="arenaLimit"/> is negative.</exception>
    public static NativeAllocatorSettings Apply(int arenaLimit, bool retainFreedMemory)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(arenaLimit);
        lock (Gate)
        {
            return _applied ??= Configure(arenaLimit, retainFreedMemory, GlibcMalloc.TryOpen(), Environment.GetEnvironmentVariable);
        }
    }

    /// <summary>Applies the settings through <paramref name="malloc"/>, leaving alone what the environment already sets.</summary>
    /// <param name="arenaLimit">The cap on arenas; 0 leaves it to glibc.</param>
    /// <param name="retainFreedMemory">Whether to turn memory maps and trimming off and pad the heaps.</param>
    /// <param name="malloc">The allocator's <c>mallopt</c>, or <see langword="null"/> when the process does not run on glibc.</param>
    /// <param name="environment">Reads an environment variable.</param>
    /// <returns>The settings that took effect.</returns>
    internal static NativeAllocatorSettings Configure(int arenaLimit, bool retainFreedMemory, Func<int, int, bool>? malloc, Func<string, string?> environment)
    {
        if (malloc is null)
        {
            return NativeAllocatorSettings.NotGlibc;
        }

        int? appliedLimit = null;
        var arenaFromEnvironment = IsSet(environment, "MALLOC_ARENA_MAX", "glibc.malloc.arena_max");
        if (arenaLimit > 0 && !arenaFromEnvironment && malloc(ArenaMaxParameter, arenaLimit))
        {
            appliedLimit = arenaLimit;
        }

        var retained = false;
        var retentionFromEnvironment = IsSet(environment, "MALLOC_MMAP_MAX_", "glibc.malloc.mmap_max")
            || IsSet(environment, "MALLOC_TRIM_THRESHOLD_", "glibc.malloc.trim_threshold")
            || IsSet(environment, "MALLOC_MMAP_THRESHOLD_", "glibc.malloc.mmap_threshold");
        if (retainFreedMemory && !retentionFromEnvironment)
        {
            // Both calls, even if the first fails: each is useful alone.
            var unmapped = malloc(MmapMaxParameter, 0);
            var untrimmed = malloc(TrimThresholdParameter, -1);
            var padded = malloc(TopPadParameter, HeapSize);
            retained = unmapped && untrimmed && padded;
        }

        return new NativeAllocatorSettings(true, appliedLimit, retained, arenaFromEnvironment || retentionFromEnvironment);
    }

    private static bool IsSet(Func<string, string?> environment, string variable, string tunable) =>
        !string.IsNullOrEmpty(environment(variable))
        || (environment("GLIBC_TUNABLES") is { Length: > 0 } tunables
            && tunables.Split(':').Any(t => t.StartsWith(tunable + "=", StringComparison.Ordinal)));
}

/// <summary>The allocator settings in effect.</summary>
/// <param name="IsGlibc">Whether the process runs on glibc (otherwise nothing was changed).</param>
/// <param name="ArenaLimit">The arena cap this library set, or <see langword="null"/>.</param>
/// <param name="RetainsFreedMemory">Whether this library turned memory maps and trimming off.</param>
/// <param name="EnvironmentOverrides">Whether some setting was left to the environment's <c>MALLOC_*</c> or <c>GLIBC_TUNABLES</c>.</param>
internal sealed record NativeAllocatorSettings(bool IsGlibc, int? ArenaLimit, bool RetainsFreedMemory, bool EnvironmentOverrides)
{
    /// <summary>Gets the outcome off glibc: nothing changed.</summary>
    public static NativeAllocatorSettings NotGlibc { get; } = new(false, null, false, false);

    /// <inheritdoc />
    public override string ToString() => !IsGlibc
        ? "not glibc, allocator unchanged"
        : string.Create(CultureInfo.InvariantCulture, $"glibc, arena cap {(ArenaLimit is { } limit ? limit.ToString(CultureInfo.InvariantCulture) : "unchanged")}, freed memory {(RetainsFreedMemory ? "retained" : "returned as glibc decides")}{(EnvironmentOverrides ? ", environment settings kept" : string.Empty)}");
}

/// <summary>Finds glibc's <c>mallopt</c> in this process.</summary>
internal static class GlibcMalloc
{
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int MallOpt(int parameter, int value);

    /// <summary>Returns glibc's <c>mallopt</c> (true when it accepts the value), or <see langword="null"/> when the process does not run on glibc.</summary>
    public static Func<int, int, bool>? TryOpen() =>
        TryOpen(OperatingSystem.IsLinux(), RuntimeInformation.RuntimeIdentifier, ResolveInLibc);

    /// <summary>
    /// The detection: Linux, a runtime not built for musl, and a <c>libc.so.6</c> that exports both
    /// <c>gnu_get_libc_version</c> (glibc's own entry point, absent from musl, bionic and the BSD libcs) and <c>mallopt</c>.
    /// </summary>
    /// <param name="isLinux">Whether the process runs on Linux (Android is not Linux here).</param>
    /// <param name="runtimeIdentifier">The runtime's identifier, for example <c>linux-x64</c> or <c>linux-musl-x64</c>.</param>
    /// <param name="resolve">Resolves an export of <c>libc.so.6</c>; 0 when the library or the export is missing.</param>
    /// <returns><c>mallopt</c>, or <see langword="null"/>.</returns>
    internal static Func<int, int, bool>? TryOpen(bool isLinux, string runtimeIdentifier, Func<string, nint> resolve)
    {
        if (!isLinux || runtimeIdentifier.Contains("musl", StringComparison.OrdinalIgnoreCase) || resolve("gnu_get_libc_version") == 0)
        {
            return null;
        }

        var address = resolve("mallopt");
        if (address == 0)
        {
            return null;
        }

        var mallopt = Marshal.GetDelegateForFunctionPointer<MallOpt>(address);
        return (parameter, value) => mallopt(parameter, value) == 1;
    }

    private static nint ResolveInLibc(string name) =>
        NativeLibrary.TryLoad("libc.so.6", out var libc) && NativeLibrary.TryGetExport(libc, name, out var address) ? address : 0;
}
