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
