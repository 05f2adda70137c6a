using System.Runtime.InteropServices;
using DiGA.Core.Foundation;

namespace DiGA.Core.Tests.Foundation;

public sealed class NativeAllocatorTests
{
    private static readonly Func<string, string?> NoEnvironment = _ => null;

    [Fact]
    public void Configure_Defaults_CapsArenasAndRetainsFreedMemory()
    {
        var calls = new List<(int Parameter, int Value)>();

        var settings = NativeAllocator.Configure(2, true, Recording(calls), NoEnvironment);

        calls.Should().Equal(
            (NativeAllocator.ArenaMaxParameter, 2),
            (NativeAllocator.MmapMaxParameter, 0),
            (NativeAllocator.TrimThresholdParameter, -1),
            (NativeAllocator.TopPadParameter, NativeAllocator.HeapSize));
        settings.Should().Be(new NativeAllocatorSettings(IsGlibc: true, ArenaLimit: 2, RetainsFreedMemory: true, EnvironmentOverrides: false));
    }

    [Fact]
    public void Configure_BothSettingsOff_CallsNothing()
    {
        var calls = new List<(int Parameter, int Value)>();

        var settings = NativeAllocator.Configure(0, false, Recording(calls), NoEnvironment);

        calls.Should().BeEmpty();
        settings.Should().Be(new NativeAllocatorSettings(true, null, false, false));
    }

    [Fact]
    public void Configure_NotGlibc_IsANoOp()
    {
        NativeAllocator.Configure(2, true, malloc: null, NoEnvironment).Should().BeSameAs(NativeAllocatorSettings.NotGlibc);
        NativeAllocatorSettings.NotGlibc.ToString().Should().Be("not glibc, allocator unchanged");
    }

    [Theory]
    [InlineData("MALLOC_ARENA_MAX", "4")]
    [InlineData("GLIBC_TUNABLES", "glibc.malloc.tcache_count=0:glibc.malloc.arena_max=4")]
    public void Configure_ArenaCapFromTheEnvironment_LeavesTheArenasAlone(string variable, string value)
    {
        var calls = new List<(int Parameter, int Value)>();

        var settings = NativeAllocator.Configure(2, true, Recording(calls), name => name == variable ? value : null);

        calls.Select(c => c.Parameter).Should().NotContain(NativeAllocator.ArenaMaxParameter);
        calls.Should().Contain((NativeAllocator.MmapMaxParameter, 0));
        settings.ArenaLimit.Should().BeNull();
        settings.EnvironmentOverrides.Should().BeTrue();
    }

    [Theory]
    [InlineData("MALLOC_MMAP_MAX_", "0")]
    [InlineData("MALLOC_TRIM_THRESHOLD_", "1073741824")]
    [InlineData("MALLOC_MMAP_THRESHOLD_", "33554432")]
    [InlineData("GLIBC_TUNABLES", "glibc.malloc.mmap_threshold=33554432")]
    [InlineData("GLIBC_TUNABLES", "glibc.malloc.trim_threshold=4294967296")]
    public void Configure_RetentionSettingFromTheEnvironment_LeavesRetentionAlone(string variable, string value)
    {
        var calls = new List<(int Parameter, int Value)>();

        var settings = NativeAllocator.Configure(2, true, Recording(calls), name => name == variable ? value : null);

        calls.Should().Equal((NativeAllocator.ArenaMaxParameter, 2));
        settings.RetainsFreedMemory.Should().BeFalse();
        settings.ToString().Should().Be("glibc, arena cap 2, freed memory returned as glibc decides, environment settings kept");
    }

    [Fact]
    public void Configure_UnrelatedTunables_AreNotMistakenForASetting()
    {
        var calls = new List<(int Parameter, int Value)>();

        var settings = NativeAllocator.Configure(2, true, Recording(calls), name => name == "GLIBC_TUNABLES" ? "glibc.malloc.tcache_count=0:glibc.malloc.mmap_threshold_x=1" : null);

        calls.Should().HaveCount(4);
        settings.EnvironmentOverrides.Should().BeFalse();
    }

    [Fact]
    public void Configure_RejectedValue_IsNotReportedAsApplied()
    {
        var settings = NativeAllocator.Configure(2, true, (parameter, _) => parameter != NativeAllocator.ArenaMaxParameter, NoEnvironment);

        settings.ArenaLimit.Should().BeNull();
        settings.RetainsFreedMemory.Should().BeTrue();
    }

    [Theory]
    [InlineData(false, "win-x64")]
    [InlineData(false, "osx-arm64")]
    [InlineData(true, "linux-musl-x64")]
    [InlineData(true, "linux-musl-arm64")]
    public void TryOpen_NotGlibcLinux_ReturnsNullWithoutProbingTheLibrary(bool isLinux, string runtimeIdentifier)
    {
        var probed = new List<string>();

        GlibcMalloc.TryOpen(isLinux, runtimeIdentifier, name => { probed.Add(name); return 1; }).Should().BeNull();

        probed.Should().BeEmpty();
    }

    [Fact]
    public void TryOpen_LibcWithoutGlibcEntryPoint_ReturnsNull()
    {
        // A libc.so.6 that is not glibc (for example a compatibility shim) lacks gnu_get_libc_version.
        GlibcMalloc.TryOpen(true, "linux-x64", name => name == "mallopt" ? 1 : 0).Should().BeNull();
        GlibcMalloc.TryOpen(true, "linux-x64", _ => 0).Should().BeNull();
    }

    [Fact]
    public void TryOpen_ThisProcess_FindsMalloptExactlyOnGlibcLinux()
    {
        var onGlibc = OperatingSystem.IsLinux()
            && !RuntimeInformation.RuntimeIdentifier.Contains("musl", StringComparison.OrdinalIgnoreCase)
            && NativeLibrary.TryLoad("libc.so.6", out var libc)
            && NativeLibrary.TryGetExport(libc, "gnu_get_libc_version", out _);

        var mallopt = GlibcMalloc.TryOpen();

        (mallopt is not null).Should().Be(onGlibc);
        if (mallopt is not null)
        {
            // M_PERTURB = 0 is glibc's default: a harmless call that must be accepted.
            mallopt(-6, 0).Should().BeTrue();
        }
    }

    [Fact]
    public void Apply_ConcurrentCalls_ApplyOnceAndReturnTheSameSettings()
    {
        var results = new NativeAllocatorSettings[8];

        Parallel.For(0, results.Length, i => results[i] = NativeAllocator.Apply(i % 2 == 0 ? 2 : 0, retainFreedMemory: true));

        results.Should().AllSatisfy(r => r.Should().BeSameAs(results[0]));
        NativeAllocator.Apply(2, retainFreedMemory: false).Should().BeSameAs(results[0]);
        results[0].IsGlibc.Should().Be(GlibcMalloc.TryOpen() is not null);
    }

    [Fact]
    public void Apply_NegativeArenaLimit_Throws()
    {
        var act = () => NativeAllocator.Apply(-1, retainFreedMemory: true);

        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    private static Func<int, int, bool> Recording(List<(int Parameter, int Value)> calls) => (parameter, value) =>
    {
        calls.Add((parameter, value));
        return true;
    };
}
