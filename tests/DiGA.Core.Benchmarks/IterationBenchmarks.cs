using BenchmarkDotNet.Attributes;
using DiGA.Core.Models.DeepLab;

namespace DiGA.Core.Benchmarks;

/// <summary>One full warm-up and one full self-training iteration of the compact model at its default size.</summary>
[Config(typeof(IterationConfig))]
public class IterationBenchmarks
{
    /// <summary>The DeepLabV2-R101 iteration size (a reduced crop of the reference 512×896).</summary>
    public const int R101Batch = 2, R101Height = 256, R101Width = 448;

    /// <summary>The compact-model iteration size.</summary>
    public const int CompactBatch = 8, CompactHeight = 128, CompactWidth = 256;

    private TrainingIteration _iteration = null!;

    [GlobalSetup]
    public void Setup() => _iteration = TrainingIteration.Compact();

    [GlobalCleanup]
    public void Cleanup() => _iteration.Dispose();

    [Benchmark(Description = "iteration.warmup.compact")]
    public void Warmup() => _iteration.WarmupStep();

    [Benchmark(Description = "iteration.selftraining.compact")]
    public void SelfTraining() => _iteration.SelfTrainingStep();
}

/// <summary>
/// One full warm-up and one full self-training iteration of DeepLabV2-R101 (with the learned translator) at B=2, 256×448,
/// and the EMA update of its parameters.
/// </summary>
[Config(typeof(HeavyConfig))]
public class DeepLabIterationBenchmarks
{
    private TrainingIteration _iteration = null!;

    [GlobalSetup]
    public void Setup() => _iteration = TrainingIteration.DeepLabR101();

    [GlobalCleanup]
    public void Cleanup() => _iteration.Dispose();

    [Benchmark(Description = "iteration.warmup.r101")]
    public void Warmup() => _iteration.WarmupStep();

    [Benchmark(Description = "iteration.selftraining.r101")]
    public void SelfTraining() => _iteration.SelfTrainingStep();
}
