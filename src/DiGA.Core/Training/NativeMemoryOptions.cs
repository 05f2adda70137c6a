using System.ComponentModel.DataAnnotations;

namespace DiGA.Core.Training;

/// <summary>
/// Process-wide settings of the C library's allocator (glibc <c>malloc</c>), which holds every libtorch CPU tensor. A
/// <see cref="Pipeline.DiGAPipeline"/> applies them when it is created, once per process: the first pipeline's values hold
/// until the process ends. They take effect only on Linux with glibc; elsewhere (musl, Windows, macOS) nothing is changed.
/// A setting already made through glibc's environment variables (<c>MALLOC_ARENA_MAX</c>, <c>MALLOC_MMAP_MAX_</c>,
/// <c>MALLOC_TRIM_THRESHOLD_</c>, <c>MALLOC_MMAP_THRESHOLD_</c> or the matching <c>GLIBC_TUNABLES</c>) is left as it is.
/// </summary>
/// <remarks>
/// With glibc's defaults, a CPU training loop hands most of its tensor memory back to the system at the end of every
/// iteration and takes it back, as fresh zero-filled pages, in the next: blocks above the memory-map threshold (at most
/// 32 MiB) are mapped and unmapped one by one, the main heap is trimmed whenever its free top exceeds the trim threshold,
/// and a heap of a secondary arena (64 MiB each) is unmapped as soon as it is empty, whatever the trim threshold. The
/// kernel then zeroes every page again and the process takes one minor page fault per 4 KiB. See <c>docs/benchmarks.md</c>.
/// </remarks>
public sealed class NativeMemoryOptions
{
    /// <summary>
    /// Gets or sets the cap on malloc arenas (<c>M_ARENA_MAX</c>); 0 keeps glibc's default of eight per core. Set while
    /// the process has at most eight arenas, the cap stops further arenas from being created (existing ones stay); once
    /// the ninth exists, glibc has fixed its limit and the cap has no effect. For a hard cap, set <c>MALLOC_ARENA_MAX</c>
    /// in the environment.
    /// </summary>
    /// <value>The default value is 2.</value>
    [Range(0, 1024)]
    public int ArenaLimit { get; set; } = 2;

    /// <summary>
    /// Gets or sets whether freed memory stays with the allocator for the next iteration instead of going back to the
    /// system: every block is served from a heap (<c>M_MMAP_MAX</c> = 0), heaps are never trimmed (<c>M_TRIM_THRESHOLD</c>
    /// = −1), and 64 MiB of free space are kept at the top of each heap (<c>M_TOP_PAD</c>), which keeps empty secondary
    /// heaps mapped.
    /// </summary>
    /// <value>
    /// The default value is <see langword="true"/>. The process then holds on to the memory of its busiest phase until it
    /// ends; set it to <see langword="false"/> where memory must go back to the system between trainings.
    /// </value>
    public bool RetainFreedMemory { get; set; } = true;
}
