using DiGA.Core.Foundation;
using static TorchSharp.torch;

namespace DiGA.Core.Tests.Foundation;

/// <summary>The two-product bilinear resize against libtorch's bilinear interpolation, which it replaces.</summary>
public sealed class BilinearResizeTests
{
    // Both sides use the same float32 weights and interpolate along the width and then the height; they differ only in how
    // each two-term sum is rounded (a fused multiply-add or not): a few 2⁻²⁴·|x|max ≈ 6e-8·|x|max per output, and for an
    // input gradient, a sum of up to 4·(outputs per input) such terms. A weight or index off by one pixel moves values by
    // O(|x|max / size), far above these bounds.
    private const double RelativeTolerance = 1e-6;

    [Theory]
    [InlineData(2, 19, 32, 64, 64, 128, true, true)] // the demo's stride-2 logits, channels-last as the demo's model gives them
    [InlineData(2, 3, 8, 16, 32, 64, false, true)]
    [InlineData(2, 19, 33, 57, 257, 449, false, true)] // DeepLabV2's stride-8 logits to a 257×449 crop
    [InlineData(1, 4, 5, 7, 17, 29, true, true)]      // odd sizes
    [InlineData(3, 2, 9, 6, 9, 13, false, true)]      // the height unchanged
    [InlineData(1, 5, 12, 20, 7, 9, false, true)]     // downsizing
    [InlineData(2, 3, 6, 10, 1, 1, false, true)]      // one pixel
    [InlineData(2, 32, 16, 32, 32, 64, true, false)]  // the compact decoder's ×2 step, channels-last as its convolutions give it
    [InlineData(1, 4, 5, 7, 17, 29, false, false)]    // odd sizes: the clamped first and last rows
    [InlineData(3, 2, 9, 6, 9, 13, false, false)]     // the height unchanged
    [InlineData(1, 5, 12, 20, 7, 9, false, false)]    // downsizing
    [InlineData(2, 3, 6, 10, 1, 1, false, false)]     // one pixel
    public void Apply_MatchesBilinearInterpolation_ValuesAndGradients(int batch, int channels, int height, int width, int outHeight, int outWidth, bool channelsLast, bool alignCorners)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(5);
        var values = randn([batch, channels, height, width], generator: generator).mul_(4);
        var upstream = randn([batch, channels, outHeight, outWidth], generator: generator);
        var input = (channelsLast ? BlockAlignedConvolution.ChannelsLast(values) : values.clone()).requires_grad_(true);
        var reference = values.clone().requires_grad_(true);

        var resized = BilinearResize.Apply(input, outHeight, outWidth, alignCorners);
        var expected = nn.functional.interpolate(reference, [outHeight, outWidth], mode: InterpolationMode.Bilinear, align_corners: alignCorners);
        resized.backward([upstream]);
        expected.backward([upstream]);

        resized.shape.Should().Equal(batch, channels, outHeight, outWidth);
        var valueScale = values.abs().max().item<float>();
        (resized - expected).abs().max().item<float>().Should().BeLessThan((float)(RelativeTolerance * valueScale));
        var outputsPerInput = Math.Max(1, (double)outHeight * outWidth / (height * width));
        var gradientScale = upstream.abs().max().item<float>() * outputsPerInput;
        (input.grad! - reference.grad!).abs().max().item<float>().Should().BeLessThan((float)(RelativeTolerance * gradientScale));
    }

    [Fact]
    public void ClassLogitsResize_SameSize_ReturnsTheInput()
    {
        using var logits = zeros(1, 3, 4, 5);

        ClassLogits.Resize(logits, 4, 5).Should().BeSameAs(logits);
    }
}
