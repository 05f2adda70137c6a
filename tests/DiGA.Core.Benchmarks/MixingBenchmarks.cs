using BenchmarkDotNet.Attributes;
using DiGA.Core.Kernels.Mixing;
using static TorchSharp.torch;

namespace DiGA.Core.Benchmarks;

/// <summary>
/// ClassMix at the reference crop: the mask alone, the warm-up CrDoMix composition
/// (images only) and the self-training composition (images and labels).
/// </summary>
[Config(typeof(KernelConfig))]
public class MixingBenchmarks
{
    private readonly ClassMixMixer _mixer = new();
    private Generator _generator = null!;
    private Tensor _labels = null!, _backgroundLabels = null!, _foreground = null!, _background = null!;

    [GlobalSetup]
    public void Setup()
    {
        using var inputs = Inputs.Generator(3);
        _labels = Inputs.BlockLabels(Inputs.Batch, Inputs.Height, Inputs.Width, inputs);
        _backgroundLabels = Inputs.BlockLabels(Inputs.Batch, Inputs.Height, Inputs.Width, inputs, dense: true);
        _foreground = Inputs.Images(Inputs.Batch, Inputs.Height, Inputs.Width, inputs);
        _background = Inputs.Images(Inputs.Batch, Inputs.Height, Inputs.Width, inputs);
        _generator = Inputs.Generator(30);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var t in new[] { _labels, _backgroundLabels, _foreground, _background })
        {
            t.Dispose();
        }

        _generator.Dispose();
    }

    [Benchmark(Description = "classmix.mask")]
    public void Mask()
    {
        using var scope = NewDisposeScope();
        ClassMixMask.Create(_labels, _generator);
    }

    [Benchmark(Description = "classmix.warmup-mix")]
    public void WarmupMix()
    {
        using var scope = NewDisposeScope();
        using var mixed = _mixer.Mix(new CrossDomainMixArguments(_foreground, _labels, _background, _generator));
    }

    [Benchmark(Description = "classmix.selftraining-mix")]
    public void SelfTrainingMix()
    {
        using var scope = NewDisposeScope();
        using var mixed = _mixer.Mix(new CrossDomainMixArguments(_foreground, _labels, _background, _generator) { BackgroundLabels = _backgroundLabels });
    }
}
