using BenchmarkDotNet.Attributes;
using DiGA.Core.Foundation;
using DiGA.Core.Kernels.Losses;
using DiGA.Core.Models;
using DiGA.Core.Models.Architectures;
using static TorchSharp.torch;

namespace DiGA.Core.Benchmarks;

/// <summary>
/// Forward and backward of a whole model in training mode: MiT-B5 with the DAFormer and with the SegFormer decoder
/// (from the architecture registry, 19 classes, random weights) at B = 2, 512×512 — the DAFormer training crop. Each
/// iteration: forward, logits resized to the crop (bilinear, <c>align_corners = false</c>, as mmseg does), the reference
/// cross-entropy on fixed block labels (5 % ignored), backward, gradients set to none. No optimiser step.
/// </summary>
[Config(typeof(HeavyConfig))]
public class ModelBenchmarks
{
    /// <summary>The batch and crop of the DAFormer presets.</summary>
    public const int Batch = 2, Height = 512, Width = 512;

    private readonly CrossEntropy2d _crossEntropy = new();
    private ISegmentationModel _model = null!;
    private Tensor _images = null!, _labels = null!;

    [GlobalSetup(Target = nameof(MitB5DAFormer))]
    public void SetupDAFormer() => Setup("mit-b5+daformer");

    [GlobalSetup(Target = nameof(MitB5SegFormer))]
    public void SetupSegFormer() => Setup("mit-b5+segformer");

    [GlobalCleanup]
    public void Cleanup()
    {
        _model.Dispose();
        _images.Dispose();
        _labels.Dispose();
    }

    [Benchmark(Description = "model.mit-b5-daformer.fwd-bwd")]
    public void MitB5DAFormer() => Step();

    [Benchmark(Description = "model.mit-b5-segformer.fwd-bwd")]
    public void MitB5SegFormer() => Step();

    private void Setup(string architecture)
    {
        _model = SegmentationArchitectures.Create(new SegmentationModelOptions { Architecture = architecture, Device = "cpu" });
        _model.Module.train();
        using var generator = Inputs.Generator(8);
        _images = Inputs.Images(Batch, Height, Width, generator);
        _labels = Inputs.BlockLabels(Batch, Height, Width, generator);
    }

    private void Step()
    {
        using var scope = NewDisposeScope();
        using var output = _model.Forward(_images);
        var logits = nn.functional.interpolate(output.Logits, [Height, Width], mode: InterpolationMode.Bilinear, align_corners: false);
        _crossEntropy.Compute(logits, _labels).backward();
        _model.Module.zero_grad(set_to_none: true);
    }
}

/// <summary>
/// Forward and backward of the compact model (from the architecture registry, default options, 19 classes, random weights,
/// training mode) at the synthetic demo's batch and size, B = 8, 64×128: forward, logits resized to the image (bilinear,
/// <c>align_corners = true</c>, as the training stages do), <see cref="CrossEntropy2d"/> on fixed block labels, backward,
/// gradients set to none. No optimiser step.
/// </summary>
[Config(typeof(KernelConfig))]
public class CompactModelBenchmarks
{
    /// <summary>The batch and image size of the synthetic demo.</summary>
    public const int Batch = 8, Height = 64, Width = 128;

    private readonly CrossEntropy2d _crossEntropy = new();
    private ISegmentationModel _model = null!;
    private Tensor _images = null!, _labels = null!;

    [GlobalSetup]
    public void Setup()
    {
        _model = SegmentationArchitectures.Create(new SegmentationModelOptions { Architecture = "compact", Device = "cpu" });
        _model.Module.train();
        using var generator = Inputs.Generator(8);
        _images = Inputs.Images(Batch, Height, Width, generator);
        _labels = Inputs.BlockLabels(Batch, Height, Width, generator, cell: 8);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _model.Dispose();
        _images.Dispose();
        _labels.Dispose();
    }

    [Benchmark(Description = "model.compact.fwd-bwd")]
    public void Compact()
    {
        using var scope = NewDisposeScope();
        using var output = _model.Forward(_images);
        var logits = ClassLogits.Resize(output.Logits, Height, Width);
        _crossEntropy.Compute(logits, _labels).backward();
        _model.Module.zero_grad(set_to_none: true);
    }
}
