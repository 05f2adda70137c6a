using DiGA.Core.Tests.Helpers;
using DiGA.Core.Translation;
using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Tests.Translation;

public sealed class ReinhardTranslatorTests
{
    [Fact]
    public void Translate_GlobalAverage_MatchesTargetStatistics()
    {
        using var scope = NewDisposeScope();
        var source = TranslationTestImages.Source();
        var target = TranslationTestImages.Target();
        using var bank = ColorStatisticsBank.Fit([target]);
        var sut = new ReinhardTranslator(bank, new ReinhardTranslatorOptions { Selection = TargetStyleSelection.GlobalAverage });

        var translated = sut.Translate(new TranslationArguments(source));

        var before = TranslationTestImages.StatisticsDistance(source, target);
        var after = TranslationTestImages.StatisticsDistance(translated, target);
        before.Should().BeGreaterThan(50);
        after.Should().BeLessThan(0.02 * before);

        // Every translated image carries the global statistics, not only the batch average. The YCbCr → RGB → YCbCr round
        // trip through float32 matrices (inverse accurate to ~1e-6) costs ≲ 1e-3 on the 0–255 scale (observed 1.5e-5); the
        // clamp to [0, 255] does not act on these images.
        var (mean, std) = ColorStatisticsBank.ImageStatistics(translated, ImageNormalization.Reference);
        TensorAssert.Close(mean, bank.GlobalMean.expand(4, 3), 1e-2);
        TensorAssert.Close(std, bank.GlobalStd.expand(4, 3), 1e-2);
    }

    [Fact]
    public void Translate_RandomTargetImage_GivesEachImageTheStatisticsOfOneTargetImage()
    {
        using var scope = NewDisposeScope();
        var source = TranslationTestImages.Source(count: 8);
        var target = TranslationTestImages.Target();
        using var bank = ColorStatisticsBank.Fit([target.narrow(0, 0, 3), target.narrow(0, 3, 3)]);
        var sut = new ReinhardTranslator(bank);

        var translated = sut.Translate(new TranslationArguments(source, new Generator(7)));

        TranslationTestImages.StatisticsDistance(translated, target)
            .Should().BeLessThan(0.1 * TranslationTestImages.StatisticsDistance(source, target));
        var (mean, _) = ColorStatisticsBank.ImageStatistics(translated, ImageNormalization.Reference);
        var nearest = cdist(mean, bank.Means).min(1).values;
        // Round trip as above (observed 2.4e-5); the six target means are ≥ 1.47 apart, so this identifies one of them.
        nearest.max().item<float>().Should().BeLessThan(1e-2f, "each translated image takes the mean colour of one target image");
    }

    [Fact]
    public void Translate_KeepsShapeDtypeDeviceAndInput()
    {
        using var scope = NewDisposeScope();
        var source = TranslationTestImages.Source(count: 3, height: 20, width: 36);
        var copy = source.clone();
        using var bank = ColorStatisticsBank.Fit([TranslationTestImages.Target()]);
        var sut = new ReinhardTranslator(bank);

        var translated = sut.Translate(new TranslationArguments(source, new Generator(1)));

        translated.shape.Should().Equal(3, 3, 20, 36);
        translated.dtype.Should().Be(ScalarType.Float32);
        translated.device.type.Should().Be(source.device.type);
        // The input is never written: exact.
        TensorAssert.Equal(source, copy, "the input is not modified");
    }

    [Fact]
    public void Translate_OutputLiesInTheImageRange()
    {
        using var scope = NewDisposeScope();
        using var bank = ColorStatisticsBank.Fit([TranslationTestImages.Target()]);
        var translated = new ReinhardTranslator(bank).Translate(new TranslationArguments(TranslationTestImages.Source(), new Generator(3)));

        var rgb = ImageNormalization.Reference.Denormalize(translated);
        // Clamped to [0, 255] before normalising; denormalising again rounds by ≤ ulp(255) ≈ 1.5e-5, well inside 1e-3.
        rgb.min().item<float>().Should().BeGreaterThanOrEqualTo(-1e-3f);
        rgb.max().item<float>().Should().BeLessThanOrEqualTo(255.001f);
    }

    [Fact]
    public void Translate_SameSeed_IsDeterministic_DifferentSeeds_Differ()
    {
        using var scope = NewDisposeScope();
        var source = TranslationTestImages.Source(count: 8);
        using var bank = ColorStatisticsBank.Fit([TranslationTestImages.Target(count: 10)]);
        var sut = new ReinhardTranslator(bank);

        var a = sut.Translate(new TranslationArguments(source, new Generator(11)));
        var b = sut.Translate(new TranslationArguments(source, new Generator(11)));
        var c = sut.Translate(new TranslationArguments(source, new Generator(12)));

        // Same call, same inputs, same draws: identical bits. Another seed picks other target statistics: changes ≫ 0.01.
        TensorAssert.Equal(a, b);
        (a - c).abs().max().item<float>().Should().BeGreaterThan(0.01f);
    }

    [Fact]
    public void Translate_RandomSelectionWithoutGenerator_Throws()
    {
        using var scope = NewDisposeScope();
        using var bank = ColorStatisticsBank.Fit([TranslationTestImages.Target()]);
        var sut = new ReinhardTranslator(bank);
        var source = TranslationTestImages.Source();

        var act = () => sut.Translate(new TranslationArguments(source));

        act.Should().Throw<ArgumentException>().WithMessage("*Generator is required*");
    }

    [Fact]
    public void Translate_WrongShape_Throws()
    {
        using var scope = NewDisposeScope();
        using var bank = ColorStatisticsBank.Fit([TranslationTestImages.Target()]);
        var sut = new ReinhardTranslator(bank);
        var images = zeros(2, 1, 8, 8);

        var act = () => sut.Translate(new TranslationArguments(images, new Generator(1)));

        act.Should().Throw<ArgumentException>().WithMessage("Expected floating-point images [N, 3, H, W], got Float32 [2, 1, 8, 8].*");
    }

    [Fact]
    public void Translate_DoesNotLeakTensors()
    {
        using var bank = ColorStatisticsBank.Fit([TranslationTestImages.Target()]);
        var sut = new ReinhardTranslator(bank);
        using var source = TranslationTestImages.Source();
        var generator = new Generator(5);
        sut.Translate(new TranslationArguments(source, generator)).Dispose();
        var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        sut.Translate(new TranslationArguments(source, generator)).Dispose();

        DisposeScopeManager.Statistics.ThreadTotalLiveCount.Should().Be(before);
    }
}
