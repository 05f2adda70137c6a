using DiGA.Core.Kernels.Augmentation;
using DiGA.Core.Tests.Fixtures.kernels;
using DiGA.Core.Tests.Helpers;
using static TorchSharp.torch;

namespace DiGA.Core.Tests.Kernels.Augmentation;

public sealed class PhotometricAugmentationTests
{
    // Fixture from PyTorch 1.13; outputs are O(1) (|x| ≤ 1.23). The colour-space and jitter chains are elementwise IEEE
    // operations; blur and sharpness are 9-tap convolutions (≤ 9 ulp(2) ≈ 2e-6 of summation-order noise) with taps the C#
    // side computes in double: observed ≤ 1.8e-7 on every ISA, so 1e-5 leaves a fiftyfold margin.
    private const double Tolerance = 1e-5;

    // The saturation channel of the HSV fixture reaches 81 (max/(max + 1e-6) blows up for max ≈ 0 on these out-of-range
    // inputs), where one ulp is 7.6e-6: values are compared to 1e-6 relative (8 ulp) on top of the absolute tolerance.
    private const double HsvRelativeTolerance = 1e-6;

    [Fact]
    public void RgbToHsv_AndBack_MatchReference()
    {
        using var scope = NewDisposeScope();
        using var fixture = KernelFixture.Load("photometric");

        var hsv = PhotometricOps.RgbToHsv(fixture["x"]);

        TensorAssert.Close(hsv, fixture["hsv"], Tolerance, HsvRelativeTolerance);
        TensorAssert.Close(PhotometricOps.HsvToRgb(hsv), fixture["hsv_roundtrip"], Tolerance);
    }

    [Fact]
    public void ColorJitter_WithGivenFactorsAndOrder_MatchesReference()
    {
        using var scope = NewDisposeScope();
        using var fixture = KernelFixture.Load("photometric");

        var jittered = PhotometricOps.ColorJitter(fixture["x"], fixture["brightness"], fixture["contrast"], fixture["saturation"], fixture["hue"], fixture["order"].data<long>().ToArray());

        TensorAssert.Close(jittered, fixture["jitter"], Tolerance);
    }

    [Fact]
    public void Grayscale_Blur_Sharpness_MatchReference()
    {
        using var scope = NewDisposeScope();
        using var fixture = KernelFixture.Load("photometric");
        var x = fixture["x"];

        TensorAssert.Close(PhotometricOps.Grayscale(x), fixture["grayscale"], Tolerance);
        TensorAssert.Close(PhotometricOps.GaussianBlur(x), fixture["blur"], Tolerance);
        TensorAssert.Close(PhotometricOps.Sharpness(x, fixture["sharpness_factor"]), fixture["sharpness"], Tolerance);
    }

    [Fact]
    public void Apply_WithPerSampleFlags_MatchesReferenceSequenceAndBlend()
    {
        using var scope = NewDisposeScope();
        using var fixture = KernelFixture.Load("photometric");
        var x = fixture["x"];
        var draws = new PhotometricDraws(
            fixture.Bool("jitter_on"), fixture["brightness"], fixture["contrast"], fixture["saturation"], fixture["hue"], fixture["order"],
            fixture.Bool("gray_on"), fixture.Bool("blur_on"), fixture.Bool("sharp_on"), fixture["sharpness_factor"]);

        var sequence = PhotometricOps.Apply(x, draws, sharpnessEnabled: true);

        TensorAssert.Close(sequence, fixture["mixed_sequence"], Tolerance);
        TensorAssert.Close(PhotometricOps.Blend(x, sequence, fixture.Scalar("beta")), fixture["photo"], Tolerance);
    }

    [Fact]
    public void Augment_AllProbabilitiesZero_IsTheAffineBlend()
    {
        using var scope = NewDisposeScope();
        var x = rand(2, 3, 5, 5, generator: new Generator(1)).mul(2).sub(1);
        var options = new PhotometricAugmentationOptions
        {
            ColorJitterProbability = 0, GrayscaleProbability = 0, BlurProbability = 0, SharpnessProbability = 0,
        };

        var result = new PhotometricAugmentation().Augment(new PhotometricArguments(x, options, new Generator(2)));

        // 0.4·(x − 0.5)/0.5 + 0.6·x against 1.4·x − 0.4 for |x| ≤ 1: two formulas, a few ulp(2) ≈ 5e-7 apart.
        TensorAssert.Close(result, x.mul(1.4).sub(0.4), Tolerance);
    }

    [Fact]
    public void Augment_SameSeed_IsDeterministic_AndDoesNotTouchTheInput()
    {
        using var scope = NewDisposeScope();
        var x = rand(3, 3, 8, 8, generator: new Generator(1));
        var copy = x.clone();
        var augmentation = new PhotometricAugmentation();

        var options = new PhotometricAugmentationOptions();
        var first = augmentation.Augment(new PhotometricArguments(x, options, new Generator(7)));
        var second = augmentation.Augment(new PhotometricArguments(x, options, new Generator(7)));
        var other = augmentation.Augment(new PhotometricArguments(x, options, new Generator(8)));

        // Same call, same inputs, same draws: identical bits. A different seed changes the draws, hence values by ≫ 1e-3.
        TensorAssert.Equal(first, second);
        TensorAssert.Equal(x, copy);
        other.sub(first).abs().max().item<float>().Should().BeGreaterThan(1e-3f);
    }

    [Fact]
    public void Augment_WrongChannelCount_Throws()
    {
        using var scope = NewDisposeScope();
        var act = () => new PhotometricAugmentation().Augment(new PhotometricArguments(zeros(1, 4, 5, 5), new PhotometricAugmentationOptions(), new Generator(1)));

        act.Should().Throw<ArgumentException>().WithMessage("*[N, 3, H, W]*[1, 4, 5, 5]*");
    }
}
