using DiGA.Core.Foundation;
using static TorchSharp.torch;

namespace DiGA.Core.Tests.Foundation;

/// <summary>The logits resize against libtorch's bilinear interpolation (align_corners = true), which it replaces.</summary>
public sealed class ClassLogitsTests
{
    // Both sides use the same float32 weights and interpolate along the width and then the height; they differ only in how
    // each two-term sum is rounded (a fused multiply-add or not): a few 2⁻²⁴·|x|max ≈ 6e-8·|x|max per output, and for an
    // input gradient, a sum of up to 4·(outputs per input) such terms. A weight or index off by one pixel moves values by
    // O(|x|max / size), far above these bounds.
    private const double RelativeTolerance = 1e-6;

    [Theory]
    [InlineData(2, 19, 32, 64, 64, 128, true)] // the demo's stride-2 logits, channels-last as the demo's model gives them
    [InlineData(2, 3, 8, 16, 32, 64, false)]
    [InlineData(2, 19, 33, 57, 257, 449, false)] // DeepLabV2's stride-8 logits to a 257×449 crop
    [InlineData(1, 4, 5, 7, 17, 29, true)]      // odd sizes
    [InlineData(3, 2, 9, 6, 9, 13, false)]      // the height unchanged
    [InlineData(1, 5, 12, 20, 7, 9, false)]     // downsizing
    [InlineData(2, 3, 6, 10, 1, 1, false)]      // one pixel
    public void Resize_MatchesBilinearInterpolation_ValuesAndGradients(int batch, int classes, int height, int width, int outHeight, int outWidth, bool channelsLast)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(5);
        var logits = randn([batch, classes, height, width], generator: generator).mul_(4);
        var upstream = randn([batch, classes, outHeight, outWidth], generator: generator);
        var input = (channelsLast ? BlockAlignedConvolution.ChannelsLast(logits) : logits.clone()).requires_grad_(true);
        var reference = logits.clone().requires_grad_(true);

        var resized = ClassLogits.Resize(input, outHeight, outWidth);
        var expected = nn.functional.interpolate(reference, [outHeight, outWidth], mode: InterpolationMode.Bilinear, align_corners: true);
        resized.backward([upstream]);
        expected.backward([upstream]);

        resized.shape.Should().Equal(batch, classes, outHeight, outWidth);
        var valueScale = logits.abs().max().item<float>();
        (resized - expected).abs().max().item<float>().Should().BeLessThan((float)(RelativeTolerance * valueScale));
        var outputsPerInput = Math.Max(1, (double)outHeight * outWidth / (height * width));
        var gradientScale = upstream.abs().max().item<float>() * outputsPerInput;
        (input.grad! - reference.grad!).abs().max().item<float>().Should().BeLessThan((float)(RelativeTolerance * gradientScale));
    }

    [Fact]
    public void Resize_SameSize_ReturnsTheInput()
    {
        using var logits = zeros(1, 3, 4, 5);

        ClassLogits.Resize(logits, 4, 5).Should().BeSameAs(logits);
    }
}
