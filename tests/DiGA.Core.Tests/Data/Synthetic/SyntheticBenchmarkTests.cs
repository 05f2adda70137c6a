using DiGA.Core.Data;
using DiGA.Core.Data.Synthetic;

namespace DiGA.Core.Tests.Data.Synthetic;

public class SyntheticBenchmarkTests
{
    private static readonly byte[] NineClasses = [0, 1, 2, 5, 8, 9, 10, 11, 13];

    private static SyntheticBenchmarkOptions Small(int seed = 0, int height = 32, int width = 64, TargetStyle style = TargetStyle.ColorShift, int parallelism = 0) => new()
    {
        Seed = seed,
        Height = height,
        Width = width,
        SourceCount = 12,
        TargetTrainCount = 12,
        TargetValCount = 4,
        TargetStyle = style,
        MaxDegreeOfParallelism = parallelism,
    };

    [Fact]
    public void Generate_SameSeed_IsIdenticalRegardlessOfParallelism()
    {
        var a = new SyntheticDataset(Small(seed: 3, parallelism: 1), SyntheticSplit.TargetTrain);
        var b = new SyntheticDataset(Small(seed: 3, parallelism: 2), SyntheticSplit.TargetTrain);
        for (var i = 0; i < a.Count; i++)
        {
            var x = a.Load(i);
            var y = b.Load(i);
            x.Image.Should().Equal(y.Image);
            x.Label.Should().Equal(y.Label);
        }
    }

    [Fact]
    public void Generate_DifferentSeeds_Differ()
    {
        var a = new SyntheticDataset(Small(seed: 0), SyntheticSplit.Source).Load(0);
        var b = new SyntheticDataset(Small(seed: 1), SyntheticSplit.Source).Load(0);
        a.Image.Should().NotEqual(b.Image);
        a.Label.Should().NotEqual(b.Label);
    }

    [Theory]
    [InlineData(32, 64)]
    [InlineData(64, 128)]
    [InlineData(128, 256)]
    public void Generate_AtSize_ProducesLabelledImagesOfThatSize(int height, int width)
    {
        var set = new SyntheticDataset(Small(height: height, width: width), SyntheticSplit.Source);
        var sample = set.Load(0);
        sample.Width.Should().Be(width);
        sample.Height.Should().Be(height);
        sample.Image.Should().HaveCount(height * width * 3);
        sample.Label.Should().OnlyContain(v => NineClasses.Contains(v));
    }

    [Fact]
    public void Generate_SourceAndTarget_ContainAllNineClasses()
    {
        var options = Small(height: 64, width: 128);
        options.SourceCount = 30;
        options.TargetTrainCount = 30;
        foreach (var split in new[] { SyntheticSplit.Source, SyntheticSplit.TargetTrain })
        {
            var stats = DatasetStatistics.Compute(new SyntheticDataset(options, split));
            foreach (var c in NineClasses)
            {
                stats.ClassFrequency[c].Should().BeGreaterThan(0.001, $"class {c} must occur in {split}");
            }

            // ≤ 19 frequencies count/total summed in double: ≤ 19 ulp ≈ 4e-15 off 1.
            stats.ClassFrequency.Sum().Should().BeApproximately(1.0, 1e-9);
        }
    }

    [Fact]
    public void Domains_DifferMeasurablyInColourAndLayout()
    {
        var options = Small(height: 64, width: 128);
        options.SourceCount = 40;
        options.TargetTrainCount = 40;
        var source = DatasetStatistics.Compute(new SyntheticDataset(options, SyntheticSplit.Source));
        var target = DatasetStatistics.Compute(new SyntheticDataset(options, SyntheticSplit.TargetTrain));
        var meanGap = Enumerable.Range(0, 3).Max(c => Math.Abs(source.ChannelMean[c] - target.ChannelMean[c]));
        meanGap.Should().BeGreaterThan(10, "the target palette and illumination shift the channel means");
        // Higher horizon in the target: more sky, less road.
        target.ClassFrequency[10].Should().BeGreaterThan(source.ClassFrequency[10]);
        target.ClassFrequency[0].Should().BeLessThan(source.ClassFrequency[0]);
        target.ClassFrequency[11].Should().BeGreaterThan(source.ClassFrequency[11], "the target has more persons");
    }

    [Fact]
    public void Styles_ShareLabelsButChangeAppearance()
    {
        var plain = new SyntheticDataset(Small(height: 64, width: 128), SyntheticSplit.TargetVal);
        var fog = new SyntheticDataset(Small(height: 64, width: 128, style: TargetStyle.Fog), SyntheticSplit.TargetVal);
        var night = new SyntheticDataset(Small(height: 64, width: 128, style: TargetStyle.Night), SyntheticSplit.TargetVal);
        fog.Load(0).Label.Should().Equal(plain.Load(0).Label);
        night.Load(0).Label.Should().Equal(plain.Load(0).Label);

        var p = DatasetStatistics.Compute(plain);
        var f = DatasetStatistics.Compute(fog);
        var n = DatasetStatistics.Compute(night);
        n.ChannelMean.Average().Should().BeLessThan(p.ChannelMean.Average() - 20, "night is dark");
        (n.ChannelMean[2] - n.ChannelMean[0]).Should().BeGreaterThan(p.ChannelMean[2] - p.ChannelMean[0], "night has a cold cast");
        HazeDistance(fog).Should().BeLessThan(HazeDistance(plain) - 10, "fog pulls pixels toward the haze colour");
    }

    private static double HazeDistance(ISegmentationDataset set)
    {
        var options = new FogStyleOptions();
        double[] haze = [options.HazeRed * 255, options.HazeGreen * 255, options.HazeBlue * 255];
        var total = 0.0;
        long count = 0;
        for (var i = 0; i < set.Count; i++)
        {
            var image = set.Load(i).Image;
            for (var p = 0; p < image.Length; p++)
            {
                total += Math.Abs(image[p] - haze[p % 3]);
                count++;
            }
        }

        return total / count;
    }

    [Fact]
    public void Fog_HazeGrowsTowardTheHorizon()
    {
        // Same layout and noise, so the per-row difference is the haze: it must be larger far away (near the horizon).
        var plain = new SyntheticDataset(Small(height: 64, width: 128), SyntheticSplit.TargetVal).Load(1);
        var fog = new SyntheticDataset(Small(height: 64, width: 128, style: TargetStyle.Fog), SyntheticSplit.TargetVal).Load(1);
        double RowGap(int y) => Enumerable.Range(0, 128 * 3).Average(i => Math.Abs(fog.Image[(y * 128 * 3) + i] - plain.Image[(y * 128 * 3) + i]));
        var road = Enumerable.Range(0, 64).Where(y => plain.Label![(y * 128) + 64] == 0).ToArray();
        road.Should().NotBeEmpty();
        var far = road.Take(3).Average(RowGap);
        var near = road.TakeLast(3).Average(RowGap);
        far.Should().BeGreaterThan(near);
    }

    [Fact]
    public void Constructor_InvalidOptions_ThrowsNamingTheProblem()
    {
        var options = Small();
        options.TargetLayout.HorizonMin = 0.6;
        options.TargetLayout.HorizonMax = 0.5;
        var act = () => new SyntheticBenchmark(options);
        act.Should().Throw<ArgumentException>().WithMessage("*minimum*maximum*");
        var tooSmall = Small();
        tooSmall.Height = 4;
        ((Action)(() => _ = new SyntheticBenchmark(tooSmall))).Should().Throw<ArgumentException>().WithMessage("*Height*");
    }
}
