using DiGA.Core.Data;
using DiGA.Core.Data.Datasets;
using DiGA.Core.Data.Imaging;
using DiGA.Core.Labels;

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

    private static Func<SegmentationSample> LoadWithLabel(TempDirectory dir, Func<byte[], byte[]> mutate, int maxPixels = SegmentationDatasetOptions.DefaultMaxImagePixels)
    {
        WritePair(dir, "00001");
        File.WriteAllBytes(dir["labels/00001.png"], mutate(File.ReadAllBytes(dir["labels/00001.png"])));
        var dataset = new Gta5Dataset(new SegmentationDatasetOptions { Root = dir.Path, MaxImagePixels = maxPixels });
        return () => dataset.Load(0);
    }

    private static Func<SegmentationSample> LoadWithImage(TempDirectory dir, Func<byte[], byte[]> mutate, int maxPixels = SegmentationDatasetOptions.DefaultMaxImagePixels)
    {
        WritePair(dir, "00001");
        File.WriteAllBytes(dir["images/00001.png"], mutate(File.ReadAllBytes(dir["images/00001.png"])));
        var dataset = new Gta5Dataset(new SegmentationDatasetOptions { Root = dir.Path, MaxImagePixels = maxPixels });
        return () => dataset.Load(0);
    }

    [Theory]
    [InlineData(65535u, 65535u, "65535×65535 = 4294836225 pixels, larger than the limit of 50000000 pixels")]
    [InlineData(100000u, 100000u, "100000×100000 = 10000000000 pixels, larger than the limit")]
    [InlineData(2147483647u, 1u, "2147483647×1 = 2147483647 pixels, larger than the limit")]
    [InlineData(2147483648u, 1u, "invalid PNG size 2147483648×1")]
    [InlineData(0u, 0u, "invalid PNG size 0×0 (the image is empty)")]
    [InlineData(8u, 0u, "invalid PNG size 8×0 (the image is empty)")]
    public void Load_LabelHeaderWithImpossibleSize_ThrowsBeforeAllocating(uint width, uint height, string reason)
    {
        using var dir = new TempDirectory();
        var load = LoadWithLabel(dir, png => FileMutator.SetHeaderSize(png, width, height));
        var before = GC.GetAllocatedBytesForCurrentThread();
        load.Should().Throw<DatasetFileException>().WithMessage($"*labels*00001.png: cannot decode the label PNG: *{reason}*");
        (GC.GetAllocatedBytesForCurrentThread() - before).Should().BeLessThan(1 << 20, "the header is checked before anything is allocated");
    }

    [Fact]
    public void Load_SampleOverTheConfiguredLimit_ThrowsNamingTheLimit()
    {
        using var dir = new TempDirectory();
        var load = LoadWithLabel(dir, png => png, maxPixels: 31);
        load.Should().Throw<DatasetFileException>().WithMessage("*images*00001.png: the image is 8×4 = 32 pixels, larger than the limit of 31 pixels*");
        ((Action)(() => ImageFile.ReadLabel(dir["labels/00001.png"], 31))).Should().Throw<DatasetFileException>()
            .WithMessage("*labels*00001.png: cannot decode the label PNG: the PNG is 8×4 = 32 pixels, larger than the limit of 31 pixels*");
    }

    [Theory]
    [InlineData(24, 3, "unsupported PNG bit depth 3 for colour type 3")]
    [InlineData(25, 7, "unsupported PNG colour type 7")]
    [InlineData(26, 1, "unsupported PNG compression method 1")]
    [InlineData(28, 2, "interlace method 2")]
    public void Load_LabelWithUnsupportedHeaderField_SaysWhich(int offset, byte value, string reason)
    {
        using var dir = new TempDirectory();
        var load = LoadWithLabel(dir, png =>
        {
            png[offset] = value;
            return FileMutator.RepairCrcs(png);
        });
        load.Should().Throw<DatasetFileException>().WithMessage($"*labels*00001.png*{reason}*");
    }

    [Fact]
    public void Load_LabelWithBadCrc_SaysWhichChunk()
    {
        using var dir = new TempDirectory();
        var load = LoadWithLabel(dir, png =>
        {
            png[20] ^= 1;
            return png;
        });
        load.Should().Throw<DatasetFileException>().WithMessage("*labels*00001.png*bad CRC in chunk IHDR*");
    }

    [Theory]
    [InlineData(0x7FFFFFFFu, "truncated PNG (a chunk at byte 8 claims 2147483647 bytes")]
    [InlineData(0xFFFFFFFFu, "invalid chunk length 4294967295 at byte 8")]
    public void Load_LabelWithCorruptChunkLength_SaysWhatIsWrong(uint length, string reason)
    {
        using var dir = new TempDirectory();
        var load = LoadWithLabel(dir, png =>
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(8), length);
            return png;
        });
        load.Should().Throw<DatasetFileException>().WithMessage($"*labels*00001.png*{reason}*");
    }

    [Fact]
    public void Load_BadDeflateStream_SaysSoForLabelsAndImages()
    {
        // 0x07 right after the two zlib header bytes starts a final block of the invalid type 3.
        static byte[] Corrupt(byte[] png)
        {
            var idat = png.AsSpan().IndexOf("IDAT"u8);
            png[idat + 6] = 0x07;
            return FileMutator.RepairCrcs(png);
        }

        using (var dir = new TempDirectory())
        {
            LoadWithLabel(dir, Corrupt).Should().Throw<DatasetFileException>().WithMessage("*labels*00001.png*bad deflate stream*");
        }

        using (var dir = new TempDirectory())
        {
            LoadWithImage(dir, Corrupt).Should().Throw<DatasetFileException>().WithMessage("*images*00001.png*bad deflate stream*");
        }
    }

    [Fact]
    public void Load_LabelInflatingBeyondItsHeader_StopsReadingAndThrows()
    {
        using var dir = new TempDirectory();
        var load = LoadWithLabel(dir, png => FileMutator.ReplaceImageData(png, new byte[32 << 20]));
        var before = GC.GetAllocatedBytesForCurrentThread();
        load.Should().Throw<DatasetFileException>().WithMessage("*labels*00001.png*inflates to more than the 36 bytes the header implies*");
        (GC.GetAllocatedBytesForCurrentThread() - before).Should().BeLessThan(1 << 20, "a 32 MiB deflate bomb is not inflated");

        File.WriteAllBytes(dir["labels/00001.png"], FileMutator.ReplaceImageData(File.ReadAllBytes(dir["labels/00001.png"]), new byte[35]));
        load.Should().Throw<DatasetFileException>().WithMessage("*labels*00001.png*truncated PNG image data (inflates to 35 of the 36 bytes*");
    }

    [Fact]
    public void Load_ImageWithEmptyOrOversizedHeader_ThrowsNamingTheImage()
    {
        using (var dir = new TempDirectory())
        {
            LoadWithImage(dir, png => FileMutator.SetHeaderSize(png, 0, 0)).Should().Throw<DatasetFileException>().WithMessage("*images*00001.png: cannot decode the image*");
        }

        using (var dir = new TempDirectory())
        {
            var load = LoadWithImage(dir, png => FileMutator.SetHeaderSize(png, 65535, 65535));
            var before = GC.GetAllocatedBytesForCurrentThread();
            load.Should().Throw<DatasetFileException>().WithMessage("*images*00001.png: the image is 65535×65535 = 4294836225 pixels, larger than the limit of 50000000 pixels*");
            (GC.GetAllocatedBytesForCurrentThread() - before).Should().BeLessThan(1 << 20);
        }
    }

    [Fact]
    public void Load_JpegWithOversizedFrameHeader_ThrowsBeforeDecoding()
    {
        using var dir = new TempDirectory();
        ImageFile.WriteRgb(dir["images/a.jpg"], new RgbImage(16, 8, new byte[16 * 8 * 3]));
        ImageFile.WriteLabel(dir["labels/a.png"], 16, 8, new byte[16 * 8]);
        var jpeg = File.ReadAllBytes(dir["images/a.jpg"]);
        var frame = jpeg.AsSpan().IndexOf([(byte)0xFF, (byte)0xC0]);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(frame + 5), 4096);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(frame + 7), 4096);
        File.WriteAllBytes(dir["images/a.jpg"], jpeg);
        var dataset = new FolderDataset(new SegmentationDatasetOptions { Root = dir.Path, MaxImagePixels = 1_000_000 }, LabelSpace.Cityscapes19);
        var act = () => dataset.Load(0);
        act.Should().Throw<DatasetFileException>().WithMessage("*images*a.jpg: the image is 4096×4096 = 16777216 pixels, larger than the limit of 1000000 pixels*");
    }

    [Fact]
    public void Options_MaxImagePixelsOutOfRange_AreRejected()
    {
        using var dir = new TempDirectory();
        WritePair(dir, "00001");
        new SegmentationDatasetOptions().MaxImagePixels.Should().Be(50_000_000);
        foreach (var value in new[] { 0, -1, SegmentationDatasetOptions.MaxImagePixelsLimit + 1 })
        {
            var act = () => new Gta5Dataset(new SegmentationDatasetOptions { Root = dir.Path, MaxImagePixels = value });
            act.Should().Throw<System.ComponentModel.DataAnnotations.ValidationException>().WithMessage("*MaxImagePixels*");
        }

        var folder = () => new PseudoLabelFolder(dir.Path, 19) { MaxImagePixels = 0 };
        folder.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void PseudoLabelFolder_OversizedOrCorruptFile_ThrowsNamingIt()
    {
        using var dir = new TempDirectory();
        var folder = new PseudoLabelFolder(dir.Path, 19) { MaxImagePixels = 100 };
        folder.Write("a", 16, 8, new byte[16 * 8]);
        var act = () => folder.Read("a", 16, 8);
        act.Should().Throw<DatasetFileException>().WithMessage("*a.png*16×8 = 128 pixels, larger than the limit of 100 pixels*");
        File.WriteAllBytes(folder.PathFor("a"), FileMutator.SetHeaderSize(File.ReadAllBytes(folder.PathFor("a")), 2147483647, 1));
        new PseudoLabelFolder(dir.Path, 19).Invoking(f => f.Read("a", 16, 8)).Should().Throw<DatasetFileException>().WithMessage("*a.png*larger than the limit*");
    }

    [Fact]
    public void Constructor_BinaryOrOverlongListFile_ThrowsNamingIt()
    {
        using var dir = new TempDirectory();
        WritePair(dir, "00001");
        File.WriteAllBytes(dir["list.txt"], File.ReadAllBytes(dir["labels/00001.png"]));
        var binary = () => new Gta5Dataset(new SegmentationDatasetOptions { Root = dir.Path, ListFile = dir["list.txt"] });
        binary.Should().Throw<DatasetFileException>().WithMessage("*list.txt: not a*text list file*");

        File.WriteAllText(dir["list.txt"], "00001.png\n" + new string('a', 5000));
        var overlong = () => new Gta5Dataset(new SegmentationDatasetOptions { Root = dir.Path, ListFile = dir["list.txt"] });
        overlong.Should().Throw<DatasetFileException>().WithMessage("*list.txt: line 2 is longer than 4096 characters*");

        File.WriteAllText(dir["list.txt"], "# reference list\r\n00001.png extra\r\n\r\n");
        new Gta5Dataset(new SegmentationDatasetOptions { Root = dir.Path, ListFile = dir["list.txt"] }).Count.Should().Be(1);
    }

    [Fact]
    public void Constructor_MutatedListFiles_LoadOrThrowNamingTheList()
    {
        using var dir = new TempDirectory();
        WritePair(dir, "00001");
        var list = "# list\n00001.png\n"u8.ToArray();
        var random = new Random(7);
        for (var i = 0; i < 200; i++)
        {
            var bytes = (byte[])list.Clone();
            bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            File.WriteAllBytes(dir["list.txt"], bytes[..random.Next(bytes.Length + 1)]);
            try
            {
                _ = new Gta5Dataset(new SegmentationDatasetOptions { Root = dir.Path, ListFile = dir["list.txt"] });
            }
            catch (DatasetFileException ex)
            {
                ex.Message.Should().MatchRegex("list.txt|images|empty");
            }
        }
    }
}
