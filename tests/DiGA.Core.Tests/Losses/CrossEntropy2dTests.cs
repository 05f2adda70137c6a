using DiGA.Core.Losses;
using DiGA.Core.Tests.Fixtures.Kernels;
using DiGA.Core.Tests.Helpers;
using static TorchSharp.torch;

namespace DiGA.Core.Tests.Losses;

public sealed class CrossEntropy2dTests
{
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

        TensorAssert.Close(loss, fixture[$"{tag}_loss"], 1e-5);
        TensorAssert.Close(logits.grad!, fixture[$"{tag}_grad"], 1e-5);
    }

    [Fact]
    public void Compute_AllPixelsIgnored_ReturnsZero()
    {
        using var scope = NewDisposeScope();
        var logits = randn(1, 3, 2, 2);
        var labels = full(new long[] { 1, 2, 2 }, 255L, ScalarType.Int64);

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
