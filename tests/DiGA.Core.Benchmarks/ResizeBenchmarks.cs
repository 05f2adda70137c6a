using BenchmarkDotNet.Attributes;
using DiGA.Core.Foundation;
using static TorchSharp.torch;

namespace DiGA.Core.Benchmarks;

/// <summary>
/// Forward and backward of the library's bilinear resizes, each with a fixed upstream gradient: the logits resize before
/// every loss, DeepLabV2's stride-8 logits <c>[B, C, 65, 113]</c> to the reference crop (align_corners = true), and the
/// compact decoder's ×2 step at the demo's warm-up student batch, <c>[16, 32, 16, 32]</c> → 32×64 (align_corners = false).
/// </summary>
[Config(typeof(KernelConfig))]
public class ResizeBenchmarks
{
    /// <summary>The compact decoder's input at the demo's warm-up: two views of 8 images, width 32, stride 4 of 64×128.</summary>
    private const int DecoderBatch = 16, DecoderChannels = 32, DecoderHeight = 16, DecoderWidth = 32;

    private Tensor _logits = null!, _upstream = null!, _decoderFeature = null!, _decoderUpstream = null!;

    [GlobalSetup]
    public void Setup()
    {
        using var generator = Inputs.Generator(9);
        _logits = randn([Inputs.Batch, Inputs.Classes, Inputs.FeatureHeight, Inputs.FeatureWidth], generator: generator).requires_grad_(true);
        _upstream = randn([Inputs.Batch, Inputs.Classes, Inputs.Height, Inputs.Width], generator: generator);
        _decoderFeature = randn([DecoderBatch, DecoderChannels, DecoderHeight, DecoderWidth], generator: generator).requires_grad_(true);
        _decoderUpstream = randn([DecoderBatch, DecoderChannels, 2 * DecoderHeight, 2 * DecoderWidth], generator: generator);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _logits.Dispose();
        _upstream.Dispose();
        _decoderFeature.Dispose();
        _decoderUpstream.Dispose();
    }

    [Benchmark(Description = "resize.logits.fwd-bwd")]
    public void ResizeLogits()
    {
        using var scope = NewDisposeScope();
        _logits.grad?.Dispose();
        _logits.grad = null;
        ClassLogits.Resize(_logits, Inputs.Height, Inputs.Width).backward([_upstream]);
    }

    [Benchmark(Description = "resize.decoder.fwd-bwd")]
    public void ResizeDecoderFeature()
    {
        using var scope = NewDisposeScope();
        _decoderFeature.grad?.Dispose();
        _decoderFeature.grad = null;
        BilinearResize.Apply(_decoderFeature, 2 * DecoderHeight, 2 * DecoderWidth, alignCorners: false).backward([_decoderUpstream]);
    }
}
