using DiGA.Core.Data;
using DiGA.Core.Data.Datasets;
using DiGA.Core.Data.Synthetic;

namespace DiGA.Core.Tests.Data.Synthetic;

public class SyntheticDiskRoundTripTests
{
    [Fact]
    public void WriteToDisk_ReadersReadBackIdenticalImagesAndLabels()
    {
        using var dir = new TempDirectory();
        var benchmark = new SyntheticBenchmark(new SyntheticBenchmarkOptions { Height = 32, Width = 64, SourceCount = 3, TargetTrainCount = 2, TargetValCount = 2 });
        benchmark.WriteToDisk(dir.Path);

        var source = new Gta5Dataset(new SegmentationDatasetOptions { Root = dir["source"] });
        AssertSame(source, benchmark.Source);
        var train = new CityscapesDataset(new SegmentationDatasetOptions { Root = dir["target"], Split = "train" });
        AssertSame(train, benchmark.TargetTrain);
        var val = new CityscapesDataset(new SegmentationDatasetOptions { Root = dir["target"], Split = "val" });
        AssertSame(val, benchmark.TargetVal);
    }

    private static void AssertSame(ISegmentationDataset read, ISegmentationDataset generated)
    {
        read.Count.Should().Be(generated.Count);
        for (var i = 0; i < read.Count; i++)
        {
            var a = read.Load(i);
            var b = generated.Load(i);
            a.Image.Should().Equal(b.Image);
            a.Label.Should().Equal(b.Label);
        }
    }
}
