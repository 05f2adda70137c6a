using DiGA.Core.Tests.Helpers;
using DiGA.Core.Translation;
using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Tests.Translation;

public sealed class AmplitudeSpectrumBankTests
{
    [Fact]
    public void Fit_ConstantImage_HasOnlyTheMeanAtZeroFrequency()
    {
        using var scope = NewDisposeScope();
        var rgb = zeros(1, 3, 20, 30);
        rgb[0, 0] = 200f;
        rgb[0, 1] = 100f;
        rgb[0, 2] = 50f;

        using var bank = AmplitudeSpectrumBank.Fit([ImageNormalization.Reference.Normalize(rgb)], beta: 0.1);

        bank.HalfSize.Should().Be(2);
        var expected = zeros(1, 3, 4, 4);
        expected[0, 0, 2, 2] = 200f;   // window index B = 2 is frequency 0
        expected[0, 1, 2, 2] = 100f;
        expected[0, 2, 2, 2] = 50f;
        // float32 FFT of 600 pixels ≤ 255: error ≈ 2⁻²⁴·log₂(600)·255 ≈ 1.5e-4 per coefficient on any FFT backend.
        TensorAssert.Close(bank.Amplitudes, expected, 1e-3);
    }

    [Fact]
    public void Fit_BatchesOfDifferentSizes_KeepsTheSmallestBandAndIsSizeIndependent()
    {
        using var scope = NewDisposeScope();
        var small = TranslationTestImages.Target(count: 2, height: 32, width: 64);
        var large = nn.functional.interpolate(small, [64, 128], mode: InterpolationMode.Nearest);

        using var bank = AmplitudeSpectrumBank.Fit([small, large], beta: 0.1);

        bank.Count.Should().Be(4);
        bank.HalfSize.Should().Be(3);
        // A 2× nearest upsampling keeps the low-frequency amplitudes per cycle-per-image almost unchanged (a modelling
        // approximation of a few per cent, not rounding).
        var smallWindows = bank.Amplitudes.narrow(0, 0, 2);
        var largeWindows = bank.Amplitudes.narrow(0, 2, 2);
        var relative = ((smallWindows - largeWindows).abs().sum() / smallWindows.abs().sum()).item<float>();
        relative.Should().BeLessThan(0.05f);
    }

    [Fact]
    public void SaveLoad_RoundTrip_IsExact()
    {
        using var scope = NewDisposeScope();
        using var bank = AmplitudeSpectrumBank.Fit([TranslationTestImages.Target()], beta: 0.05);
        var path = Path.Combine(Path.GetTempPath(), $"amplitude-bank-{Guid.NewGuid():N}.safetensors");
        try
        {
            bank.Save(path);
            using var loaded = AmplitudeSpectrumBank.Load(path);

            loaded.HalfSize.Should().Be(bank.HalfSize);
            // Save → load round trip: exact.
            TensorAssert.Equal(loaded.Amplitudes, bank.Amplitudes);
            TensorAssert.Equal(loaded.MeanAmplitude, bank.MeanAmplitude);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Load_ColourStatisticsFile_ThrowsInvalidData()
    {
        using var scope = NewDisposeScope();
        using var colours = ColorStatisticsBank.Fit([TranslationTestImages.Target()]);
        var path = Path.Combine(Path.GetTempPath(), $"colour-bank-{Guid.NewGuid():N}.safetensors");
        try
        {
            colours.Save(path);

            var act = () => AmplitudeSpectrumBank.Load(path);

            act.Should().Throw<InvalidDataException>().WithMessage($"'{path}' is not an amplitude spectrum file*");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
