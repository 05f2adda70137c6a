using BenchmarkDotNet.Attributes;
using static TorchSharp.torch;

namespace DiGA.Core.Benchmarks;

/// <summary>
/// A plain copy (<c>clone</c>) of the loss kernels' input logits: the bandwidth baseline that the loss kernels are
/// compared with (one tensor for the supervised losses, four for the distillation loss).
/// </summary>
[Config(typeof(KernelConfig))]
public class CopyBenchmarks
{
    private Tensor[] _logits = [];

    [GlobalSetup]
    public void Setup()
    {
        using var generator = Inputs.Generator(0);
        _logits = [.. Enumerable.Range(0, 4).Select(_ => Inputs.Logits(generator))];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var t in _logits)
        {
            t.Dispose();
        }
    }

    [Benchmark(Description = "copy.logits-x1")]
    public void CopyOne()
    {
        using var scope = NewDisposeScope();
        _logits[0].clone();
    }

    [Benchmark(Description = "copy.logits-x4")]
    public void CopyFour()
    {
        using var scope = NewDisposeScope();
        foreach (var t in _logits)
        {
            t.clone();
        }
    }
}
