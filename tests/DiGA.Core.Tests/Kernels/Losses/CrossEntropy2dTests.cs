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

    // The loss is one autograd node that turns its log-softmax buffer into the gradient in place. Against the composed form
    // (log_softmax, gather, autograd) on a non-contiguous, non-leaf input whose gradient flows on to a leaf: losses ≈ 2 agree
    // to a few ulp (1e-6), gradients ≤ 1/pixels to a few ulp(0.01) (1e-8), far below a misplaced pixel's 1e-3.
    [Theory]
    [InlineData(CrossEntropyNormalization.AllPixels)]
    [InlineData(CrossEntropyNormalization.ValidPixels)]
    public void Compute_NonContiguousInput_MatchesComposedForm(CrossEntropyNormalization normalization)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(5);
        var source = randn([2, 6, 7, 4], generator: generator);
        var labels = randint(0, 4, [2, 6, 7], generator: generator);
        labels = where(rand([2, 6, 7], generator: generator).lt(0.3), tensor(255L), labels);
        var leaf = source.clone().requires_grad_(true);
        var reference = source.clone().requires_grad_(true);

        var loss = new CrossEntropy2d(new CrossEntropyOptions { Normalization = normalization }).Compute(leaf.permute(0, 3, 1, 2), labels);
        loss.backward();
        var valid = labels.ne(255);
        var picked = nn.functional.log_softmax(reference.permute(0, 3, 1, 2), 1).gather(1, labels.masked_fill(valid.logical_not(), 0).unsqueeze(1)).squeeze(1);
        var total = where(valid, picked, zeros_like(picked)).sum().neg();
        var expected = normalization == CrossEntropyNormalization.AllPixels ? total.div(labels.numel()) : total.div(valid.sum().to(ScalarType.Float32));
        expected.backward();

        TensorAssert.Close(loss, expected, 1e-6);
        TensorAssert.Close(leaf.grad!, reference.grad!, 1e-8);
        using (no_grad())
        {
            TensorAssert.Equal(new CrossEntropy2d(new CrossEntropyOptions { Normalization = normalization }).Compute(leaf.permute(0, 3, 1, 2), labels), loss.detach());
        }
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
