using DiGA.Core.Translation;
using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Tests.Translation;

/// <summary>Small synthetic image batches with distinct colour statistics.</summary>
internal static class TranslationTestImages
{
    /// <summary>Normalised images: smooth random patterns with a per-channel gain and offset on the 0–255 scale.</summary>
    public static Tensor Make(long count, long height, long width, float[] gain, float[] offset, long seed)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator((ulong)seed);
        var low = rand([count, 3, Math.Max(2, height / 8), Math.Max(2, width / 8)], generator: generator);
        var pattern = nn.functional.interpolate(low, [height, width], mode: InterpolationMode.Bilinear, align_corners: false);
        var noise = rand([count, 3, height, width], generator: generator) * 0.2f;
        var g = tensor(gain).reshape(1, 3, 1, 1);
        var o = tensor(offset).reshape(1, 3, 1, 1);
        var rgb = ((pattern * 0.8f) + noise).mul(g).add(o).clamp(0, 255);
        return ImageNormalization.Reference.Normalize(rgb).MoveToOuterDisposeScope();
    }

    /// <summary>A source-like batch: bright, saturated, reddish.</summary>
    public static Tensor Source(long count = 4, long height = 32, long width = 64, long seed = 1) =>
        Make(count, height, width, [200f, 120f, 60f], [40f, 60f, 20f], seed);

    /// <summary>A target-like batch: darker, low contrast, bluish.</summary>
    public static Tensor Target(long count = 6, long height = 32, long width = 64, long seed = 2) =>
        Make(count, height, width, [60f, 70f, 110f], [50f, 60f, 90f], seed);

    /// <summary>Distance between the batch-average YCbCr statistics of two normalised batches: Σ|Δmean| + Σ|Δstd|.</summary>
    public static double StatisticsDistance(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        var (meanA, stdA) = ColorStatisticsBank.ImageStatistics(a, ImageNormalization.Reference);
        var (meanB, stdB) = ColorStatisticsBank.ImageStatistics(b, ImageNormalization.Reference);
        var distance = (meanA.mean([0]) - meanB.mean([0])).abs().sum() + (stdA.mean([0]) - stdB.mean([0])).abs().sum();
        return distance.item<float>();
    }
}
