using DiGA.Core.Tests.Helpers;
using DiGA.Core.Translation;
using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Tests.Translation;

public sealed class FourierTranslatorTests
{
    [Fact]
    public void Translate_BetaZero_IsIdentity()
    {
        using var scope = NewDisposeScope();
        var source = TranslationTestImages.Source();
        using var bank = AmplitudeSpectrumBank.Fit([TranslationTestImages.Target()], beta: 0.05);
        var sut = new FourierTranslator(bank, new FourierTranslatorOptions { Beta = 0 });

        var translated = sut.Translate(new TranslationArguments(source, new Generator(1)));

        // A float32 FFT round trip of 2048-pixel images with |x| ≤ 0.87: ≈ 2⁻²⁴·log₂(2048)·|x| ≈ 6e-7 (observed 7e-7); 1e-5.
        TensorAssert.Close(translated, source, 1e-5);
    }

    [Theory]
    [InlineData(TargetStyleSelection.GlobalAverage)]
    [InlineData(TargetStyleSelection.RandomTargetImage)]
    public void Translate_MovesStatisticsTowardTarget(TargetStyleSelection selection)
    {
        using var scope = NewDisposeScope();
        var source = TranslationTestImages.Source(count: 8);
        var target = TranslationTestImages.Target();
        using var bank = AmplitudeSpectrumBank.Fit([target], beta: 0.1);
        var sut = new FourierTranslator(bank, new FourierTranslatorOptions { Beta = 0.1, Selection = selection });

        var translated = sut.Translate(new TranslationArguments(source, new Generator(3)));

        var before = TranslationTestImages.StatisticsDistance(source, target);
        var after = TranslationTestImages.StatisticsDistance(translated, target);
        before.Should().BeGreaterThan(50);
        after.Should().BeLessThan(0.25 * before);
    }

    [Fact]
    public void Translate_GlobalAverage_ReplacesTheLowFrequencyAmplitude()
    {
        using var scope = NewDisposeScope();
        // Mid-grey sources and targets keep the result inside [0, 255], so the clamp does not act.
        var source = TranslationTestImages.Make(2, 32, 64, [40f, 40f, 40f], [100f, 100f, 100f], seed: 4);
        var target = TranslationTestImages.Make(3, 32, 64, [60f, 30f, 50f], [80f, 110f, 90f], seed: 5);
        using var bank = AmplitudeSpectrumBank.Fit([target], beta: 0.1);
        var sut = new FourierTranslator(bank, new FourierTranslatorOptions { Beta = 0.1, Selection = TargetStyleSelection.GlobalAverage });

        var translated = sut.Translate(new TranslationArguments(source));
        using var translatedBank = AmplitudeSpectrumBank.Fit([translated], beta: 0.1);
        using var sourceBank = AmplitudeSpectrumBank.Fit([source], beta: 0.1);

        bank.HalfSize.Should().Be(3);
        // Frequencies −2 … 2 on both axes (window indices 1 … 5) have their conjugate inside the band, so they are
        // replaced exactly; the −3 row and column lose half their energy to the real part of the inverse transform.
        // Amplitudes ≤ 125 after three float32 FFTs of 2048 pixels: ≈ 3·2⁻²⁴·11·125 ≈ 2.5e-4 (observed 7.6e-6, one ulp).
        TensorAssert.Close(translatedBank.Amplitudes[.., .., 1.., 1..], bank.MeanAmplitude[.., 1.., 1..].expand(2, 3, 5, 5), 1e-3);
        (sourceBank.Amplitudes - bank.MeanAmplitude).abs().max().item<float>().Should().BeGreaterThan(1f);
    }

    [Fact]
    public void Translate_KeepsShapeDtypeDeviceAndInput()
    {
        using var scope = NewDisposeScope();
        var source = TranslationTestImages.Source(count: 3, height: 40, width: 56);
        var copy = source.clone();
        using var bank = AmplitudeSpectrumBank.Fit([TranslationTestImages.Target()], beta: 0.1);
        var sut = new FourierTranslator(bank, new FourierTranslatorOptions { Beta = 0.05 });

        var translated = sut.Translate(new TranslationArguments(source, new Generator(1)));

        translated.shape.Should().Equal(3, 3, 40, 56);
        translated.dtype.Should().Be(ScalarType.Float32);
        translated.device.type.Should().Be(source.device.type);
        // The input is never written: exact.
        TensorAssert.Equal(source, copy, "the input is not modified");
    }

    [Fact]
    public void Translate_SameSeed_IsDeterministic_DifferentSeeds_Differ()
    {
        using var scope = NewDisposeScope();
        var source = TranslationTestImages.Source(count: 8);
        using var bank = AmplitudeSpectrumBank.Fit([TranslationTestImages.Target(count: 10)], beta: 0.05);
        var sut = new FourierTranslator(bank, new FourierTranslatorOptions { Beta = 0.05 });

        var a = sut.Translate(new TranslationArguments(source, new Generator(21)));
        var b = sut.Translate(new TranslationArguments(source, new Generator(21)));
        var c = sut.Translate(new TranslationArguments(source, new Generator(22)));

        // Same call, same inputs, same draws: identical bits. Another seed picks other target spectra: changes ≫ 0.01.
        TensorAssert.Equal(a, b);
        (a - c).abs().max().item<float>().Should().BeGreaterThan(0.01f);
    }

    [Fact]
    public void Translate_BandLargerThanBank_Throws()
    {
        using var scope = NewDisposeScope();
        using var bank = AmplitudeSpectrumBank.Fit([TranslationTestImages.Target()], beta: 0.02);
        var sut = new FourierTranslator(bank, new FourierTranslatorOptions { Beta = 0.1 });
        var source = TranslationTestImages.Source();

        var act = () => sut.Translate(new TranslationArguments(source, new Generator(1)));

        act.Should().Throw<InvalidOperationException>().WithMessage("*need a band half-size of 3, but the amplitude bank holds 0*");
    }

    [Fact]
    public void Constructor_BetaOutOfRange_Throws()
    {
        using var scope = NewDisposeScope();
        using var bank = AmplitudeSpectrumBank.Fit([TranslationTestImages.Target()]);

        var act = () => new FourierTranslator(bank, new FourierTranslatorOptions { Beta = 0.6 });

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("Beta must lie in [0, 0.5].*");
    }

    [Fact]
    public void Translate_DoesNotLeakTensors()
    {
        using var bank = AmplitudeSpectrumBank.Fit([TranslationTestImages.Target()], beta: 0.05);
        var sut = new FourierTranslator(bank, new FourierTranslatorOptions { Beta = 0.05 });
        using var source = TranslationTestImages.Source();
        var generator = new Generator(5);
        sut.Translate(new TranslationArguments(source, generator)).Dispose();
        var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        sut.Translate(new TranslationArguments(source, generator)).Dispose();

        DisposeScopeManager.Statistics.ThreadTotalLiveCount.Should().Be(before);
    }
}
