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

    // Each benchmark allocates only the tensors it copies (as bench_reference.py does), so that the peak RSS compares like with like.
    [GlobalSetup(Target = nameof(CopyOne))]
    public void SetupOne() => Setup(1);

    [GlobalSetup(Target = nameof(CopyFour))]
    public void SetupFour() => Setup(4);

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var t in _logits)
        {
            t.Dispose();
        }
    }

    private void Setup(int count)
    {
        using var generator = Inputs.Generator(0);
        _logits = [.. Enumerable.Range(0, count).Select(_ => Inputs.Logits(generator))];
    }

    [Benchmark(Description = "copy.logits-x1")]
    public void CopyOne()
    {
        using var scope = NewDisposeScope();
        _logits[0].clone();
    }

    /// <summary>Four copies, each freed before the next (as the reference's <c>for x in xs: x.clone()</c> drops each result).</summary>
    [Benchmark(Description = "copy.logits-x4")]
    public void CopyFour()
    {
        foreach (var t in _logits)
        {
            using var scope = NewDisposeScope();
            t.clone();
        }
    }
}
