using BenchmarkDotNet.Attributes;
using DiGA.Core.Kernels.Distillation;
using DiGA.Core.Kernels.Losses;
using static TorchSharp.torch;

namespace DiGA.Core.Benchmarks;

/// <summary>
/// Forward and backward of the loss kernels on logits upsampled to the reference crop:
/// the symmetric distillation loss, the supervised cross-entropy (sum / B·H·W) and OHEM.
/// </summary>
[Config(typeof(KernelConfig))]
public class LossBenchmarks
{
    private readonly SymmetricDistiller _distiller = new();
    private readonly CrossEntropy2d _crossEntropy = new();
    private readonly OhemCrossEntropy _ohem = new();
    private Tensor _studentOriginal = null!, _studentMixed = null!, _teacherOriginal = null!, _teacherMixed = null!;
    private Tensor _logits = null!, _labels = null!;

    // Each benchmark allocates only its own inputs (the same ones, from the same seeds, as bench_reference.py), so that the
    // process's peak RSS compares like with like: the four distillation logits, or one logit tensor and its labels.
    [GlobalSetup(Target = nameof(SymmetricDistillation))]
    public void SetupDistillation()
    {
        using var generator = Inputs.Generator(0);
        _studentOriginal = Inputs.Logits(generator, requiresGrad: true);
        _studentMixed = Inputs.Logits(generator, requiresGrad: true);
        _teacherOriginal = Inputs.Logits(generator);
        _teacherMixed = Inputs.Logits(generator);
    }

    [GlobalSetup(Targets = [nameof(CrossEntropy), nameof(Ohem)])]
    public void SetupSupervised()
    {
        using var generator = Inputs.Generator(0);
        _logits = Inputs.Logits(generator, requiresGrad: true);
        using var labelGenerator = Inputs.Generator(2);
        _labels = Inputs.BlockLabels(Inputs.Batch, Inputs.Height, Inputs.Width, labelGenerator);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var t in new[] { _studentOriginal, _studentMixed, _teacherOriginal, _teacherMixed, _logits, _labels })
        {
            t?.Dispose();
        }
    }

    [Benchmark(Description = "symkd.fwd-bwd")]
    public void SymmetricDistillation()
    {
        using var scope = NewDisposeScope();
        _studentOriginal.grad?.Dispose();
        _studentMixed.grad?.Dispose();
        _studentOriginal.grad = null;
        _studentMixed.grad = null;
        var loss = _distiller.ComputeLoss(new DistillationArguments(_studentOriginal, _studentMixed, _teacherOriginal, _teacherMixed));
        loss.backward();
    }

    [Benchmark(Description = "ce.fwd-bwd")]
    public void CrossEntropy()
    {
        using var scope = NewDisposeScope();
        ClearGrad();
        _crossEntropy.Compute(_logits, _labels).backward();
    }

    [Benchmark(Description = "ohem.fwd-bwd")]
    public void Ohem()
    {
        using var scope = NewDisposeScope();
        ClearGrad();
        _ohem.Compute(_logits, _labels).backward();
    }

    private void ClearGrad()
    {
        _logits.grad?.Dispose();
        _logits.grad = null;
    }
}
