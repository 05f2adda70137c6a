using BenchmarkDotNet.Attributes;
using DiGA.Core.Foundation;
using static TorchSharp.torch;

namespace DiGA.Core.Benchmarks;

/// <summary>
/// Forward and backward of the logits resize before every loss: DeepLabV2's stride-8 logits <c>[B, C, 65, 113]</c> to the
/// reference crop (bilinear, align_corners = true) with a fixed upstream gradient.
/// </summary>
[Config(typeof(KernelConfig))]
public class ResizeBenchmarks
{
    private Tensor _logits = null!, _upstream = null!;

    [GlobalSetup]
    public void Setup()
    {
        using var generator = Inputs.Generator(9);
        _logits = randn([Inputs.Batch, Inputs.Classes, Inputs.FeatureHeight, Inputs.FeatureWidth], generator: generator).requires_grad_(true);
        _upstream = randn([Inputs.Batch, Inputs.Classes, Inputs.Height, Inputs.Width], generator: generator);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _logits.Dispose();
        _upstream.Dispose();
    }

    [Benchmark(Description = "resize.logits.fwd-bwd")]
    public void ResizeLogits()
    {
        using var scope = NewDisposeScope();
        _logits.grad?.Dispose();
        _logits.grad = null;
        ClassLogits.Resize(_logits, Inputs.Height, Inputs.Width).backward([_upstream]);
    }
}
