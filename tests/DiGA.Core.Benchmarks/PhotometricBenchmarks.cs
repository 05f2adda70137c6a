using BenchmarkDotNet.Attributes;
using DiGA.Core.Kernels.Augmentation;
using static TorchSharp.torch;

namespace DiGA.Core.Benchmarks;

/// <summary>
/// Photo_β at the reference crop: with the reference probabilities, and with every op forced on
/// (the reference's worst case, since it transforms only the samples whose draw fired).
/// </summary>
[Config(typeof(KernelConfig))]
public class PhotometricBenchmarks
{
    private readonly PhotometricAugmentation _photometric = new();
    private readonly PhotometricAugmentationOptions _reference = new();
    private readonly PhotometricAugmentationOptions _allOps = new()
    {
        ColorJitterProbability = 1,
        GrayscaleProbability = 1,
        BlurProbability = 1,
        SharpnessProbability = 1,
    };

    private Generator _generator = null!;
    private Tensor _images = null!;

    [GlobalSetup]
    public void Setup()
    {
        using var inputs = Inputs.Generator(4);
        _images = Inputs.Images(Inputs.Batch, Inputs.Height, Inputs.Width, inputs);
        _generator = Inputs.Generator(40);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _images.Dispose();
        _generator.Dispose();
    }

    [Benchmark(Description = "photo.reference-p")]
    public void ReferenceProbabilities()
    {
        using var scope = NewDisposeScope();
        _photometric.Augment(new PhotometricArguments(_images, _reference, _generator));
    }

    [Benchmark(Description = "photo.all-ops")]
    public void AllOps()
    {
        using var scope = NewDisposeScope();
        _photometric.Augment(new PhotometricArguments(_images, _allOps, _generator));
    }
}
