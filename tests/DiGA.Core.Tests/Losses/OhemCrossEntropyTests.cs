using DiGA.Core.Losses;
using DiGA.Core.Tests.Fixtures.Kernels;
using DiGA.Core.Tests.Helpers;
using static TorchSharp.torch;

namespace DiGA.Core.Tests.Losses;

public sealed class OhemCrossEntropyTests
{
    [Theory]
    [InlineData("data")]
    [InlineData("threshold")]
    public void Compute_MatchesReferenceValueAndGradient(string tag)
    {
        using var scope = NewDisposeScope();
        using var fixture = KernelFixture.Load("ohem");
        var logits = fixture["logits"].clone().requires_grad_(true);
        var loss = new OhemCrossEntropy(new OhemCrossEntropyOptions { MinKept = (int)fixture.Scalar($"{tag}_min_kept") })
            .Compute(logits, fixture["labels"]);
        loss.backward();

        TensorAssert.Close(loss, fixture[$"{tag}_loss"], 1e-5);
        TensorAssert.Close(logits.grad!, fixture[$"{tag}_grad"], 1e-5);
    }

    [Fact]
    public void Compute_EveryPixelIgnored_ReturnsZero()
    {
        using var scope = NewDisposeScope();
        var loss = new OhemCrossEntropy().Compute(randn(1, 3, 2, 2), full(new long[] { 1, 2, 2 }, 255L, ScalarType.Int64));

        loss.item<float>().Should().Be(0f);
    }

    [Fact]
    public void Constructor_ThresholdAboveOne_Throws()
    {
        var act = () => new OhemCrossEntropy(new OhemCrossEntropyOptions { Threshold = 1.5 });

        act.Should().Throw<ArgumentException>().WithMessage("*Threshold*");
    }
}
