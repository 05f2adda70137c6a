using DiGA.Core.Kernels.Losses;
using DiGA.Core.Tests.Fixtures.kernels;
using DiGA.Core.Tests.Helpers;
using static TorchSharp.torch;

namespace DiGA.Core.Tests.Kernels.Losses;

public sealed class OhemCrossEntropyTests
{
    // Fixture from PyTorch 1.13. Loss ≈ 1.6–2.9, a mean of −log p over the kept pixels: a few ulp(4) ≈ 1e-6 of kernel noise
    // (observed ≤ 2.4e-7), so 1e-5 leaves a tenfold margin.
    private const double LossTolerance = 1e-5;

    // Gradients are (softmax − one-hot)/kept ≤ 1/55 ≈ 0.02: kernel noise is a few ulp(0.02) ≈ 1e-8, a pixel wrongly kept or
    // dropped changes its gradient by ~1e-2; 1e-6 separates the two.
    private const double GradientTolerance = 1e-6;

    // The kept set {p < τ} is a threshold on probabilities that this library computes as exp(log_softmax) and the fixture as
    // softmax: they differ by ~1e-7. The comparison is only meaningful when no other valid pixel lies that close to τ, so the
    // test first checks that the fixture keeps every other probability at least 1e-5 (100× the noise) away from τ.
    private const double ThresholdGap = 1e-5;

    [Theory]
    [InlineData("data")]
    [InlineData("threshold")]
    public void Compute_MatchesReferenceValueAndGradient(string tag)
    {
        using var scope = NewDisposeScope();
        using var fixture = KernelFixture.Load("ohem");
        ClearOfThreshold(fixture["logits"], fixture["labels"], fixture.Scalar($"{tag}_tau")).Should().BeTrue(
            "no valid probability other than τ's own pixel may lie within {0} of τ, or CPU rounding could change the kept set", ThresholdGap);
        var logits = fixture["logits"].clone().requires_grad_(true);
        var loss = new OhemCrossEntropy(new OhemCrossEntropyOptions { MinKept = (int)fixture.Scalar($"{tag}_min_kept") })
            .Compute(logits, fixture["labels"]);
        loss.backward();

        TensorAssert.Close(loss, fixture[$"{tag}_loss"], LossTolerance);
        TensorAssert.Close(logits.grad!, fixture[$"{tag}_grad"], GradientTolerance);
    }

    // τ comes from a partial selection (topk of the MinKept + 1 smallest probabilities) rather than a sort. Against the sorted
    // formulation (composed autograd) the kept set must be identical for every MinKept: 0, below and above the number of valid
    // pixels (160 of 192 here) and above the pixel count. Threshold 0.3 lets the MinKept-th probability decide τ for the larger
    // values. Both sides compute in float32 by different kernels: losses ≈ 1–3 agree to a few ulp (1e-6), gradients
    // ≤ 1/|K| ≈ 0.03 to a few ulp(0.03) (1e-7); one pixel more or less in K moves them by ≥ 1e-3.
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(40)]
    [InlineData(100)]
    [InlineData(159)]
    [InlineData(160)]
    [InlineData(170)]
    [InlineData(1000)]
    public void Compute_MatchesSortedFormulation(int minKept)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(11);
        var source = randn([2, 5, 8, 12], generator: generator).mul(2);
        var labels = randint(0, 5, [2, 8, 12], generator: generator);
        labels = where(rand([2, 8, 12], generator: generator).lt(0.2), tensor(255L), labels);
        var options = new OhemCrossEntropyOptions { MinKept = minKept, Threshold = 0.3 };
        var logits = source.clone().requires_grad_(true);

        var loss = new OhemCrossEntropy(options).Compute(logits, labels);
        loss.backward();
        var (expectedLoss, expectedGradient) = SortedReference(source, labels, options);

        labels.ne(255).sum().item<long>().Should().Be(160, "the cases are chosen around the number of valid pixels");
        TensorAssert.Close(loss, expectedLoss, 1e-6);
        TensorAssert.Close(logits.grad!, expectedGradient, 1e-7);
    }

    // The first backward turns the saved log-softmax into the gradient in place; a second one through the retained graph must
    // recompute it (not fail, which would end the process from inside a TorchSharp callback) and accumulate the same gradient.
    [Fact]
    public void Compute_SecondBackwardThroughTheSameGraph_AccumulatesTheSameGradient()
    {
        using var scope = NewDisposeScope();
        var logits = randn(new long[] { 1, 3, 4, 4 }, generator: new Generator(3)).requires_grad_(true);
        var loss = new OhemCrossEntropy(new OhemCrossEntropyOptions { MinKept = 5 }).Compute(logits, zeros(new long[] { 1, 4, 4 }, ScalarType.Int64));
        loss.backward(retain_graph: true);
        var first = logits.grad!.clone();

        loss.backward();

        TensorAssert.Close(logits.grad!, first.mul(2), 1e-7);
    }

    [Fact]
    public void Compute_EveryPixelIgnored_ReturnsZero()
    {
        using var scope = NewDisposeScope();
        var loss = new OhemCrossEntropy().Compute(randn(1, 3, 2, 2), full(new long[] { 1, 2, 2 }, 255L, ScalarType.Int64));

        // An empty sum over a clamped count: exactly 0 on every CPU.
        loss.item<float>().Should().Be(0f);
    }

    [Fact]
    public void Constructor_ThresholdAboveOne_Throws()
    {
        var act = () => new OhemCrossEntropy(new OhemCrossEntropyOptions { Threshold = 1.5 });

        act.Should().Throw<ArgumentException>().WithMessage("*Threshold*");
    }

    /// <summary>The sorted formulation: per-pixel cross-entropy, a full sort of the valid probabilities, τ read on the host.</summary>
    private static (Tensor Loss, Tensor Gradient) SortedReference(Tensor source, Tensor labels, OhemCrossEntropyOptions options)
    {
        var logits = source.clone().requires_grad_(true);
        var valid = labels.ne(255).flatten();
        var pixelLoss = nn.functional.log_softmax(logits, 1).gather(1, labels.masked_fill(labels.eq(255), 0).unsqueeze(1)).flatten().neg();
        var probability = pixelLoss.detach().neg().exp();
        var sorted = where(valid, probability, full_like(probability, 2.0)).sort().Values;
        var index = Math.Max(0, Math.Min(valid.sum().item<long>() - 1, options.MinKept));
        var tau = Math.Max(sorted[index].item<float>(), options.Threshold);
        var kept = valid.logical_and(probability.lt(tau));
        var loss = where(kept, pixelLoss, zeros_like(pixelLoss)).sum().div(kept.sum().clamp_min(1).to(ScalarType.Float32));
        loss.backward();
        return (loss.detach(), logits.grad!);
    }

    /// <summary>
    /// Whether every valid pixel's float64 probability is at least <see cref="ThresholdGap"/> from <paramref name="tau"/>, except
    /// at most one within float32 rounding of it: the pixel whose probability is τ, which both implementations exclude.
    /// </summary>
    private static bool ClearOfThreshold(Tensor logits, Tensor labels, double tau)
    {
        using var scope = NewDisposeScope();
        var valid = labels.ne(255);
        var probability = nn.functional.softmax(logits.to(ScalarType.Float64), 1)
            .gather(1, labels.masked_fill(valid.logical_not(), 0).unsqueeze(1)).squeeze(1);
        var gaps = probability.masked_select(valid).sub(tau).abs().sort().Values;
        var ownPixel = gaps[0].item<double>() <= 1e-6 ? 1 : 0;
        return gaps.numel() == ownPixel || gaps[ownPixel].item<double>() >= ThresholdGap;
    }
}
