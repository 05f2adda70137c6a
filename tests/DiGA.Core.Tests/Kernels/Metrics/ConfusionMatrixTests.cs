using DiGA.Core.Kernels.Metrics;
using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Tests.Kernels.Metrics;

public class ConfusionMatrixTests
{
    private static readonly string[] ThreeClasses = ["road", "car", "sky"];

    [Fact]
    public void Update_CountsEveryNonIgnoredPixelAgainstAHostReference()
    {
        var generator = new Generator(3);
        using var labels = randint(0, 4, [2, 5, 7], dtype: ScalarType.Int64, generator: generator);
        labels.masked_fill_(labels.eq(3), 255);
        using var predictions = randint(0, 3, [2, 5, 7], dtype: ScalarType.Int64, generator: generator);
        var expected = new long[3, 3];
        var truth = labels.data<long>().ToArray();
        var predicted = predictions.data<long>().ToArray();
        for (var i = 0; i < truth.Length; i++)
        {
            if (truth[i] < 3)
            {
                expected[truth[i], predicted[i]]++;
            }
        }

        using var matrix = new ConfusionMatrix(3, CPU);
        matrix.Update(predictions, labels);
        matrix.Update(predictions, labels);

        var counts = matrix.ToArray();
        for (var r = 0; r < 3; r++)
        {
            for (var c = 0; c < 3; c++)
            {
                counts[r, c].Should().Be(2 * expected[r, c]);
            }
        }
    }

    [Fact]
    public void ComputeMetrics_GivesIoUAsTpOverTpFpFnAndNanForAbsentClasses()
    {
        // truth: road road car car ; prediction: road car car car ; sky absent everywhere.
        using var labels = tensor(new long[] { 0, 0, 1, 1, 255 });
        using var predictions = tensor(new long[] { 0, 1, 1, 1, 2 });
        using var matrix = new ConfusionMatrix(3, CPU);
        matrix.Update(predictions, labels);

        var metrics = matrix.ComputeMetrics(ThreeClasses);

        // Ratios of small integer counts in double: within 1–2 ulp (≤ 2e-16) of the exact fractions.
        metrics.IntersectionOverUnion[0].Should().BeApproximately(0.5, 1e-12);        // TP 1, FN 1
        metrics.IntersectionOverUnion[1].Should().BeApproximately(2.0 / 3.0, 1e-12);  // TP 2, FP 1
        double.IsNaN(metrics.IntersectionOverUnion[2]).Should().BeTrue();
        metrics.MeanIntersectionOverUnion.Should().BeApproximately((0.5 + 2.0 / 3.0) / 2, 1e-12);
        metrics.PixelAccuracy.Should().BeApproximately(0.75, 1e-12);
        metrics.PixelCount.Should().Be(4);
        metrics.ToPercent().PerClass.Keys.Should().BeEquivalentTo("road", "car");
        metrics.MeanOver([1]).Should().BeApproximately(2.0 / 3.0, 1e-12);
    }

    [Fact]
    public void Update_ShapeMismatch_Throws()
    {
        using var matrix = new ConfusionMatrix(3, CPU);
        using var a = zeros([2, 3], ScalarType.Int64);
        using var b = zeros([3, 2], ScalarType.Int64);

        var act = () => matrix.Update(a, b);

        act.Should().Throw<ArgumentException>().WithMessage("*[2, 3]*[3, 2]*");
    }
}
