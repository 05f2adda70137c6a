using DiGA.Core.Models.Compact;
using DiGA.Core.Optimization;

namespace DiGA.Core.Tests.Optimization;

public sealed class PolyLearningRateTests
{
    [Theory]
    [InlineData(0, 2.5e-4)]
    [InlineData(40_000, 1.3397e-4)]
    [InlineData(79_999, 9.6640e-9)]
    [InlineData(80_000, 0.0)]
    public void GetBaseLearningRate_Poly_FollowsReferenceFormula(long iteration, double expected)
    {
        var schedule = new PolyLearningRate();
        schedule.GetBaseLearningRate(iteration).Should().BeApproximately(expected, Math.Max(1e-12, expected * 1e-3));
        schedule.GetBaseLearningRate(iteration).Should().Be(2.5e-4 * Math.Pow(1.0 - (iteration / 80_000.0), 0.9));
    }

    [Fact]
    public void GetBaseLearningRate_LinearRamp_GrowsFromZeroWithoutDecay()
    {
        var schedule = new PolyLearningRate(new PolyLearningRateOptions { Schedule = LearningRateSchedule.LinearRamp, MaxIterations = 60_000 });
        schedule.GetBaseLearningRate(0).Should().Be(0.0);
        schedule.GetBaseLearningRate(30_000).Should().BeApproximately(1.25e-4, 1e-15);
        schedule.GetBaseLearningRate(59_999).Should().BeApproximately(2.5e-4 * 59_999 / 60_000, 1e-15);
    }

    [Fact]
    public void Apply_SetsEveryGroupToBaseTimesMultiplier()
    {
        using var model = new CompactSegmentationModel(new CompactSegmentationModelOptions { Device = "cpu" });
        using var sgd = new SegmentationOptimizer(model);
        var schedule = new PolyLearningRate(new PolyLearningRateOptions { MaxIterations = 100 });
        var applied = schedule.Apply(sgd, 50);
        applied.Should().BeApproximately(2.5e-4 * Math.Pow(0.5, 0.9), 1e-15);
        sgd.GroupNames.Should().Equal("backbone", "head");
        sgd.LearningRates[0].Should().BeApproximately(applied, 1e-18);
        sgd.LearningRates[1].Should().BeApproximately(10 * applied, 1e-17);
        FluentActions.Invoking(() => schedule.GetBaseLearningRate(101)).Should().Throw<ArgumentOutOfRangeException>();
    }
}
