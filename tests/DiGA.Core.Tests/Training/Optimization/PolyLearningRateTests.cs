using DiGA.Core.Models.Compact;
using DiGA.Core.Training.Optimization;

namespace DiGA.Core.Tests.Training.Optimization;

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
        // The expected values are printed to 5 significant digits: 1e-3 relative (1e-12 absolute at 0).
        schedule.GetBaseLearningRate(iteration).Should().BeApproximately(expected, Math.Max(1e-12, expected * 1e-3));
        // The same double formula, evaluated the same way in this process (no vectorisation, no FMA contraction in .NET): exact.
        schedule.GetBaseLearningRate(iteration).Should().Be(2.5e-4 * Math.Pow(1.0 - (iteration / 80_000.0), 0.9));
    }

    [Fact]
    public void GetBaseLearningRate_LinearRamp_GrowsFromZeroWithoutDecay()
    {
        var schedule = new PolyLearningRate(new PolyLearningRateOptions { Schedule = LearningRateSchedule.LinearRamp, MaxIterations = 60_000 });
        // A linear ramp in double: ≤ 2 ulp of 2.5e-4 ≈ 1e-19 off; 1e-15 is far below one iteration's step of 4e-9.
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
        // Double arithmetic on values ≤ 2.7e-3: a few ulp ≤ 1e-18; the group rates are the base rate times 1 and 10.
        applied.Should().BeApproximately(2.5e-4 * Math.Pow(0.5, 0.9), 1e-15);
        sgd.GroupNames.Should().Equal("backbone", "head");
        sgd.LearningRates[0].Should().BeApproximately(applied, 1e-18);
        sgd.LearningRates[1].Should().BeApproximately(10 * applied, 1e-17);
        FluentActions.Invoking(() => schedule.GetBaseLearningRate(101)).Should().Throw<ArgumentOutOfRangeException>();
    }
}
