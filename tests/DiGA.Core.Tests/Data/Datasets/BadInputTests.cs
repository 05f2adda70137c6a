using DiGA.Core.Data;
using DiGA.Core.Data.Datasets;
using DiGA.Core.Imaging;

namespace DiGA.Core.Tests.Data.Datasets;

public class BadInputTests
{
    private static void WritePair(TempDirectory dir, string name, int width = 8, int height = 4, int labelWidth = 8)
    {
        ImageFile.WriteRgb(dir[$"images/{name}.png"], new RgbImage(width, height, new byte[width * height * 3]));
        ImageFile.WritePaletteLabel(dir[$"labels/{name}.png"], labelWidth, height, new byte[labelWidth * height], [new LabelColor(0, 0, 0)]);
    }

    [Fact]
    public void Constructor_MissingRoot_ThrowsNamingTheDirectory()
    {
        var act = () => new Gta5Dataset(new SegmentationDatasetOptions { Root = "/definitely/not/here" });
        act.Should().Throw<DatasetFileException>().WithMessage("*/definitely/not/here*not found*");
    }

    [Fact]
    public void Constructor_MissingLabelFile_ThrowsNamingIt()
    {
        using var dir = new TempDirectory();
        WritePair(dir, "00001");
        File.Delete(dir["labels/00001.png"]);
        var act = () => new Gta5Dataset(new SegmentationDatasetOptions { Root = dir.Path });
        act.Should().Throw<DatasetFileException>().WithMessage("*labels*00001.png*label file not found*");
    }

    [Fact]
    public void Constructor_MissingFileWithSkipPolicy_SkipsAndReportsIt()
    {
        using var dir = new TempDirectory();
        WritePair(dir, "00001");
        WritePair(dir, "00002");
        File.Delete(dir["labels/00002.png"]);
        var dataset = new Gta5Dataset(new SegmentationDatasetOptions { Root = dir.Path, InvalidSamplePolicy = InvalidSamplePolicy.Skip });
        dataset.Count.Should().Be(1);
        dataset.SkippedSamples.Should().ContainSingle().Which.FilePath.Should().EndWith("00002.png");
    }

    [Fact]
    public void Constructor_EmptyDataset_Throws()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir["images"]);
        var act = () => new Gta5Dataset(new SegmentationDatasetOptions { Root = dir.Path });
        act.Should().Throw<DatasetFileException>().WithMessage($"*{dir.Path}*empty*");
    }

    [Fact]
    public void Constructor_ListNamingAbsentFile_ThrowsNamingIt()
    {
        using var dir = new TempDirectory();
        WritePair(dir, "00001");
        File.WriteAllLines(dir["list.txt"], ["00001.png", "00042.png"]);
        var act = () => new Gta5Dataset(new SegmentationDatasetOptions { Root = dir.Path, ListFile = dir["list.txt"] });
        act.Should().Throw<DatasetFileException>().WithMessage("*00042.png*image file not found*");
        var missingList = () => new Gta5Dataset(new SegmentationDatasetOptions { Root = dir.Path, ListFile = dir["nope.txt"] });
        missingList.Should().Throw<DatasetFileException>().WithMessage("*nope.txt*list file not found*");
    }

    [Fact]
    public void Load_CorruptImage_ThrowsNamingIt()
    {
        using var dir = new TempDirectory();
        WritePair(dir, "00001");
        File.WriteAllBytes(dir["images/00001.png"], [0x89, 0x50, 0x4E, 0x47, 1, 2, 3]);
        var dataset = new Gta5Dataset(new SegmentationDatasetOptions { Root = dir.Path });
        var act = () => dataset.Load(0);
        act.Should().Throw<DatasetFileException>().WithMessage("*images*00001.png*decode*");
    }

    [Fact]
    public void Load_CorruptLabel_ThrowsNamingIt()
    {
        using var dir = new TempDirectory();
        WritePair(dir, "00001");
        var bytes = File.ReadAllBytes(dir["labels/00001.png"]);
        File.WriteAllBytes(dir["labels/00001.png"], bytes[..(bytes.Length / 2)]);
        var dataset = new Gta5Dataset(new SegmentationDatasetOptions { Root = dir.Path });
        var act = () => dataset.Load(0);
        act.Should().Throw<DatasetFileException>().WithMessage("*labels*00001.png*truncated*");
    }

    [Fact]
    public void Load_SizeMismatch_ThrowsNamingBothFiles()
    {
        using var dir = new TempDirectory();
        WritePair(dir, "00001", labelWidth: 6);
        var dataset = new Gta5Dataset(new SegmentationDatasetOptions { Root = dir.Path });
        var act = () => dataset.Load(0);
        act.Should().Throw<DatasetFileException>().WithMessage("*labels*00001.png*6×4*images*00001.png*8×4*");
    }
}
