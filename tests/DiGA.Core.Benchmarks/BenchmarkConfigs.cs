using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using DiGA.Core.Models.DeepLab;

namespace DiGA.Core.Benchmarks;

/// <summary>
/// Jobs for macro benchmarks: no pilot stage, one invocation per iteration (each call is milliseconds to seconds long),
/// in process (the run script starts one process per benchmark, so the peak RSS it records belongs to that benchmark).
/// </summary>
internal static class BenchmarkJobs
{
    public static ManualConfig Create(int warmupCount, int iterationCount)
    {
        var quick = BenchmarkSettings.Quick;
        var job = Job.Default
            .WithStrategy(RunStrategy.Monitoring)
            .WithLaunchCount(1)
            .WithWarmupCount(quick ? 1 : warmupCount)
            .WithIterationCount(quick ? 2 : iterationCount)
            .WithInvocationCount(1)
            .WithUnrollFactor(1)
            .WithToolchain(new InProcessEmitToolchain(TimeSpan.FromHours(1), logOutput: true));
        var config = ManualConfig.CreateEmpty();
        config.AddJob(job);
        config.AddDiagnoser(MemoryDiagnoser.Default);
        config.AddExporter(JsonExporter.Full);
        return config;
    }
}

/// <summary>Kernels: 3 warm-up and 15 measured iterations.</summary>
public sealed class KernelConfig : ManualConfig
{
    public KernelConfig() => Add(BenchmarkJobs.Create(3, 15));
}

/// <summary>Full training iterations: 2 warm-up and 7 measured iterations.</summary>
public sealed class IterationConfig : ManualConfig
{
    public IterationConfig() => Add(BenchmarkJobs.Create(2, 7));
}

/// <summary>Full DeepLabV2-R101 training iterations (about a minute each on 2 cores): 1 warm-up and 2 measured iterations.</summary>
public sealed class HeavyConfig : ManualConfig
{
    public HeavyConfig() => Add(BenchmarkJobs.Create(1, 2));
}
