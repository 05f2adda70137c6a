using DiGA.Core.Kernels.Losses;
using DiGA.Core.Tests.Fixtures.kernels;
using DiGA.Core.Tests.Helpers;
using static TorchSharp.torch;

namespace DiGA.Core.Tests.Kernels.Losses;

public sealed class CrossEntropy2dTests
{
    // Fixture from PyTorch 1.13 (generate_kernel_fixtures.py). Loss ≈ 2.7–3.9: the log-softmax of logits |z| ≲ 12 is off by a
    // few ulp(16) ≈ 1e-6 per kernel and the mean keeps that size, so 1e-5 leaves a tenfold margin for another CPU's exp/log.
    private const double LossTolerance = 1e-5;

    // Gradients (softmax − one-hot)/pixels are at most 1/33 ≈ 0.03 (48 pixels, ~30 % ignored): kernel noise is a few
    // ulp(0.03) ≈ 1e-8, while a wrong normalisation or a leaked ignored pixel moves them by ≥ 1e-3; 1e-6 separates the two.
    private const double GradientTolerance = 1e-6;

    [Theory]
    [InlineData(CrossEntropyNormalization.AllPixels, "all")]
    [InlineData(CrossEntropyNormalization.ValidPixels, "valid")]
    public void Compute_MatchesReferenceValueAndGradient(CrossEntropyNormalization normalization, string tag)
    {
        using var scope = NewDisposeScope();
        using var fixture = KernelFixture.Load("cross_entropy");
        var logits = fixture["logits"].clone().requires_grad_(true);

        var loss = new CrossEntropy2d(new CrossEntropyOptions { Normalization = normalization }).Compute(logits, fixture["labels"]);
        loss.backward();

        TensorAssert.Close(loss, fixture[$"{tag}_loss"], LossTolerance);
        TensorAssert.Close(logits.grad!, fixture[$"{tag}_grad"], GradientTolerance);
    }

    [Fact]
    public void Compute_AllPixelsIgnored_ReturnsZero()
    {
        using var scope = NewDisposeScope();
        var logits = randn(1, 3, 2, 2);
        var labels = full(new long[] { 1, 2, 2 }, 255L, ScalarType.Int64);

        // No valid pixel: the sum is an empty (exactly 0) sum divided by a clamped count, so exactly 0 on every CPU.
        new CrossEntropy2d().Compute(logits, labels).item<float>().Should().Be(0f);
        new CrossEntropy2d(new CrossEntropyOptions { Normalization = CrossEntropyNormalization.ValidPixels }).Compute(logits, labels).item<float>().Should().Be(0f);
    }

    [Fact]
    public void Compute_Int32Labels_ThrowsNamingTheDtype()
    {
        using var scope = NewDisposeScope();
        var act = () => new CrossEntropy2d().Compute(randn(1, 3, 2, 2), zeros(new long[] { 1, 2, 2 }, ScalarType.Int32));

        act.Should().Throw<ArgumentException>().WithMessage("*int64*Int32*").And.ParamName.Should().Be("labels");
    }
}
