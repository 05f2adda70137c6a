using DiGA.Core.Tests.Helpers;
using DiGA.Core.Translation;
using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Tests.Translation;

public sealed class ColorStatisticsBankTests
{
    [Fact]
    public void Fit_TwoColourImage_GivesHandComputedYCbCrStatistics()
    {
        using var scope = NewDisposeScope();
        // Left half pure red (255, 0, 0), right half black: Y = 76.245 | 0, Cb = 84.97232 | 128, Cr = 255.5 | 128.
        var rgb = zeros(1, 3, 4, 8);
        rgb[0, 0, .., ..4] = 255f;
        var normalized = ImageNormalization.Reference.Normalize(rgb);

        using var bank = ColorStatisticsBank.Fit([normalized]);

        bank.Count.Should().Be(1);
        // Values ≤ 192 (ulp ≤ 1.5e-5): normalise → denormalise, the 3-term colour conversion and a 32-pixel mean/std each add a
        // few ulp, ≲ 1e-4 in all.
        TensorAssert.Close(bank.Means, tensor(new float[,] { { 38.1225f, 106.48616f, 191.75f } }), 5e-4);
        TensorAssert.Close(bank.Stds, tensor(new float[,] { { 38.1225f, 21.51384f, 63.75f } }), 5e-4);
    }

    [Fact]
    public void Fit_SeveralBatches_StacksImagesAndAveragesGlobalStatistics()
    {
        using var scope = NewDisposeScope();
        var target = TranslationTestImages.Target(count: 5);

        using var whole = ColorStatisticsBank.Fit([target]);
        using var split = ColorStatisticsBank.Fit([target.narrow(0, 0, 2), target.narrow(0, 2, 3)]);

        split.Count.Should().Be(5);
        // Per-image statistics of 2048 pixels reduced in batches of different sizes, which may split the float32 reductions
        // differently: ≲ 2⁻²⁴·log₂(2048)·|value| ≈ 1e-4 per path for values ≤ 157 (observed 0); 1e-3.
        TensorAssert.Close(split.Means, whole.Means, 1e-3);
        TensorAssert.Close(split.Stds, whole.Stds, 1e-3);
        TensorAssert.Close(split.GlobalMean, whole.Means.mean([0]), 1e-3);
        TensorAssert.Close(split.GlobalStd, whole.Stds.mean([0]), 1e-3);
    }

    [Fact]
    public void Fit_NoImages_Throws()
    {
        var act = () => ColorStatisticsBank.Fit([]);

        act.Should().Throw<ArgumentException>().WithMessage("No target images were given.*");
    }

    [Fact]
    public void SaveLoad_RoundTrip_IsExact()
    {
        using var scope = NewDisposeScope();
        using var bank = ColorStatisticsBank.Fit([TranslationTestImages.Target()]);
        var path = Path.Combine(Path.GetTempPath(), $"colour-bank-{Guid.NewGuid():N}.safetensors");
        try
        {
            bank.Save(path);
            using var loaded = ColorStatisticsBank.Load(path);

            // Save → load round trip: exact.
            TensorAssert.Equal(loaded.Means, bank.Means);
            TensorAssert.Equal(loaded.Stds, bank.Stds);
            TensorAssert.Equal(loaded.GlobalMean, bank.GlobalMean);
            Directory.GetFiles(Path.GetDirectoryName(path)!, Path.GetFileName(path) + ".*.tmp").Should().BeEmpty();
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Load_MissingFile_ThrowsFileNotFound()
    {
        var path = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.safetensors");

        var act = () => ColorStatisticsBank.Load(path);

        act.Should().Throw<FileNotFoundException>().WithMessage($"*'{path}' does not exist*");
    }

    [Fact]
    public void Load_NotABank_ThrowsInvalidData()
    {
        var path = Path.Combine(Path.GetTempPath(), $"garbage-{Guid.NewGuid():N}.safetensors");
        File.WriteAllBytes(path, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        try
        {
            var act = () => ColorStatisticsBank.Load(path);

            act.Should().Throw<InvalidDataException>().WithMessage($"'{path}' is not a colour statistics file*");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
