using BenchmarkDotNet.Attributes;

namespace DiGA.Core.Benchmarks;

/// <summary>
/// No work and no inputs: the row's peak RSS is the footprint of the benchmark process itself (.NET, BenchmarkDotNet,
/// TorchSharp with libtorch loaded and its thread pool started), against which the other rows' peaks can be read.
/// </summary>
[Config(typeof(KernelConfig))]
public class BaselineBenchmarks
{
    [Benchmark(Description = "baseline.empty")]
    public void Empty()
    {
    }
}
