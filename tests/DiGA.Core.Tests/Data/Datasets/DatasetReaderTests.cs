using DiGA.Core.Data;
using DiGA.Core.Data.Datasets;
using DiGA.Core.Data.Imaging;
using DiGA.Core.Labels;

namespace DiGA.Core.Tests.Data.Datasets;

public class DatasetReaderTests
{
    private const int W = 16;
    private const int H = 8;

    private static byte[] Image(int seed) => Enumerable.Range(0, W * H * 3).Select(i => (byte)((i * 7) + seed)).ToArray();

    private static byte[] Labels(params byte[] pattern) => Enumerable.Range(0, W * H).Select(i => pattern[i % pattern.Length]).ToArray();

    private static LabelColor[] OddPalette() => [.. Enumerable.Range(0, 256).Select(i => new LabelColor((byte)(255 - i), (byte)(i * 3), 7))];

    [Fact]
    public void Gta5_PaletteLabelIds_MapToTrainIds()
    {
        using var dir = new TempDirectory();
        ImageFile.WriteRgb(dir["images/00001.png"], new RgbImage(W, H, Image(1)));
        ImageFile.WritePaletteLabel(dir["labels/00001.png"], W, H, Labels(7, 8, 26, 0, 33, 34), OddPalette());
        ImageFile.WriteRgb(dir["images/00002.png"], new RgbImage(W, H, Image(2)));
        ImageFile.WritePaletteLabel(dir["labels/00002.png"], W, H, Labels(23), OddPalette());

        var dataset = new Gta5Dataset(new SegmentationDatasetOptions { Root = dir.Path });
        dataset.Count.Should().Be(2);
        var sample = dataset.Load(0);
        sample.Id.Should().Be("00001");
        sample.Image.Should().Equal(Image(1));
        sample.Label!.Take(6).Should().Equal(0, 1, 13, 255, 18, 255);

        File.WriteAllLines(dir["list.txt"], ["00002.png"]);
        var listed = new Gta5Dataset(new SegmentationDatasetOptions { Root = dir.Path, ListFile = dir["list.txt"] });
        listed.Count.Should().Be(1);
        listed.Load(0).Label.Should().OnlyContain(v => v == 10);
    }

    [Fact]
    public void Synthia_16BitRgbLabels_ReadChannelZero()
    {
        using var dir = new TempDirectory();
        ImageFile.WriteRgb(dir["RGB/0000000.png"], new RgbImage(W, H, Image(3)));
        ushort[] classes = [3, 8, 1, 22, 1000];
        var samples = new ushort[W * H * 4];
        for (var i = 0; i < W * H; i++)
        {
            samples[4 * i] = classes[i % classes.Length];
            samples[(4 * i) + 1] = 12345;
            samples[(4 * i) + 2] = 7;
            samples[(4 * i) + 3] = 65535;
        }

        ImageFile.WriteLabel16(dir["GT/LABELS/0000000.png"], W, H, PngCodec.Rgba, samples);
        var sample = new SynthiaDataset(new SegmentationDatasetOptions { Root = dir.Path }).Load(0);
        sample.Label!.Take(5).Should().Equal(0, 12, 9, 255, 255);
    }

    [Fact]
    public void Cityscapes_LabelIdsOrTrainIds_MapToTheRequestedClasses()
    {
        using var dir = new TempDirectory();
        const string Stem = "ulm_000000_000001";
        ImageFile.WriteRgb(dir[$"leftImg8bit/val/ulm/{Stem}_leftImg8bit.png"], new RgbImage(W, H, Image(4)));
        ImageFile.WriteLabel(dir[$"gtFine/val/ulm/{Stem}_gtFine_labelIds.png"], W, H, Labels(7, 22, 23, 27, 1));

        var nineteen = new CityscapesDataset(new SegmentationDatasetOptions { Root = dir.Path, Split = "val" });
        var sample = nineteen.Load(0);
        sample.Id.Should().Be($"{Stem}_leftImg8bit");
        sample.Label!.Take(5).Should().Equal(0, 9, 10, 14, 255);

        var sixteen = new CityscapesDataset(new SegmentationDatasetOptions { Root = dir.Path, Split = "val" }, LabelSpace.Cityscapes16);
        sixteen.Load(0).Label!.Take(5).Should().Equal(0, 255, 9, 255, 255);

        ImageFile.WriteLabel(dir[$"gtFine/val/ulm/{Stem}_gtFine_labelTrainIds.png"], W, H, Labels(13, 18, 255, 19));
        var trainIds = new CityscapesDataset(new SegmentationDatasetOptions { Root = dir.Path, Split = "val", UseTrainIdLabels = true });
        trainIds.DescribeSample(0).Should().Contain("labelTrainIds");
        trainIds.Load(0).Label!.Take(4).Should().Equal(13, 18, 255, 255);

        File.WriteAllLines(dir["val.txt"], [$"ulm/{Stem}_leftImg8bit.png"]);
        new CityscapesDataset(new SegmentationDatasetOptions { Root = dir.Path, Split = "val", ListFile = dir["val.txt"] }).Count.Should().Be(1);
        new CityscapesDataset(new SegmentationDatasetOptions { Root = dir.Path, Split = "val", IncludeLabels = false }).Load(0).Label.Should().BeNull();
    }

    [Fact]
    public void Bdd100k_JpegImagesAndTrainIdLabels_AreRead()
    {
        using var dir = new TempDirectory();
        var flat = Enumerable.Repeat((byte)120, W * H * 3).ToArray();
        ImageFile.WriteRgb(dir["images/val/b1.jpg"], new RgbImage(W, H, flat));
        ImageFile.WriteLabel(dir["gtFine/val/b1_train_id.png"], W, H, Labels(0, 18, 19, 255));
        var sample = new Bdd100kDataset(new SegmentationDatasetOptions { Root = dir.Path }).Load(0);
        sample.Image.Should().OnlyContain(v => Math.Abs(v - 120) <= 2);
        sample.Label!.Take(4).Should().Equal(0, 18, 255, 255);
    }

    [Fact]
    public void Mapillary_VistasIds_MapToNineteenClasses()
    {
        using var dir = new TempDirectory();
        ImageFile.WriteRgb(dir["validation/images/m1.jpg"], new RgbImage(W, H, Image(5)));
        ImageFile.WriteLabel(dir["validation/labels/m1.png"], W, H, Labels(13, 24, 2, 55, 52, 65, 20, 47));
        var dataset = new MapillaryDataset(new SegmentationDatasetOptions { Root = dir.Path, ResizeHeight = 4, ResizeWidth = 8 });
        var sample = dataset.Load(0);
        sample.Width.Should().Be(8);
        sample.Height.Should().Be(4);
        sample.Label.Should().OnlyContain(v => v == 0 || v == 1 || v == 13 || v == 18 || v == 255 || v == 12 || v == 5);
        var native = new MapillaryDataset(new SegmentationDatasetOptions { Root = dir.Path }).Load(0);
        native.Label!.Take(8).Should().Equal(0, 0, 1, 13, 18, 255, 12, 5);
    }

    [Fact]
    public void Folder_StrictClassMap_MapsListedIdsAndRejectsOthersNamingTheFile()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir["classes.json"], """
            {
              "name": "toy",
              "classes": [
                { "name": "ground", "color": [10, 20, 30], "ids": [1, 2] },
                { "name": "thing", "color": [200, 0, 0], "ids": [5] }
              ],
              "ignoreIds": [0, 255]
            }
            """);
        var space = ClassMapFile.Load(dir["classes.json"]);
        space.IsStrict.Should().BeTrue();
        space.ClassNames.Should().Equal("ground", "thing");
        ImageFile.WriteRgb(dir["images/a.png"], new RgbImage(W, H, Image(6)));
        ImageFile.WriteLabel(dir["labels/a.png"], W, H, Labels(1, 2, 5, 0, 255));
        ImageFile.WriteRgb(dir["images/b.jpg"], new RgbImage(W, H, Image(7)));
        ImageFile.WriteLabel(dir["labels/b.png"], W, H, Labels(1, 9));

        var dataset = new FolderDataset(new SegmentationDatasetOptions { Root = dir.Path }, space);
        dataset.Count.Should().Be(2);
        dataset.Load(0).Label!.Take(5).Should().Equal(0, 0, 1, 255, 255);
        var act = () => dataset.Load(1);
        act.Should().Throw<DatasetFileException>().WithMessage("*b.png*value 9*x=1, y=0*");
    }

    [Fact]
    public void ClassMap_InvalidJson_ThrowsNamingTheFile()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir["bad.json"], """{ "classes": [ { "name": "x", "color": [1, 2] } ] }""");
        ((Action)(() => ClassMapFile.Load(dir["bad.json"]))).Should().Throw<DatasetFileException>().WithMessage("*bad.json*color*");
        File.WriteAllText(dir["broken.json"], "{ nope");
        ((Action)(() => ClassMapFile.Load(dir["broken.json"]))).Should().Throw<DatasetFileException>().WithMessage("*broken.json*JSON*");
    }

    [Fact]
    public void ClassMap_NullClassPngOrMutatedFile_ThrowsNamingTheFile()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir["null.json"], """{ "classes": [ null ] }""");
        ((Action)(() => ClassMapFile.Load(dir["null.json"]))).Should().Throw<DatasetFileException>().WithMessage("*null.json: class 0 is null*");
        ImageFile.WriteLabel(dir["image.json"], 4, 4, new byte[16]);
        ((Action)(() => ClassMapFile.Load(dir["image.json"]))).Should().Throw<DatasetFileException>().WithMessage("*image.json: not a valid class-map JSON*");

        const string JsonCharacters = "{}[],:\"0123456789-enul";
        var valid = """{ "name": "toy", "labelBits": 16, "classes": [ { "name": "ground", "color": [10, 20, 30], "ids": [1, 2] }, { "name": "sky", "color": [0, 0, 200] } ], "ignoreIds": [0, 255] }"""u8.ToArray();
        var random = new Random(13);
        for (var i = 0; i < 400; i++)
        {
            var bytes = (byte[])valid.Clone();
            for (var flips = random.Next(1, 3); flips > 0; flips--)
            {
                bytes[random.Next(bytes.Length)] = i % 2 == 0 ? (byte)random.Next(256) : (byte)JsonCharacters[random.Next(JsonCharacters.Length)];
            }

            File.WriteAllBytes(dir["mutated.json"], i % 5 == 0 ? bytes[..random.Next(bytes.Length)] : bytes);
            try
            {
                ClassMapFile.Load(dir["mutated.json"]);
            }
            catch (DatasetFileException ex)
            {
                ex.FilePath.Should().Be(dir["mutated.json"], "case {0}: {1}", i, ex.Message);
            }
        }
    }

    [Fact]
    public void PseudoLabelFolder_WriteThenRead_KeepsClassesAndIgnoresTheRest()
    {
        using var dir = new TempDirectory();
        ImageFile.WriteRgb(dir["leftImg8bit/train/ulm/ulm_1_2_leftImg8bit.png"], new RgbImage(W, H, Image(8)));
        ImageFile.WriteLabel(dir["gtFine/train/ulm/ulm_1_2_gtFine_labelIds.png"], W, H, Labels(7));
        var images = new CityscapesDataset(new SegmentationDatasetOptions { Root = dir.Path });
        var folder = new PseudoLabelFolder(dir["pseudo"], 19);
        folder.Write("ulm_1_2_leftImg8bit", W, H, Labels(3, 18, 19, 200, 255));
        File.Exists(dir["pseudo/ulm_1_2_leftImg8bit.png"]).Should().BeTrue();
        var sample = folder.Label(images).Load(0);
        sample.Label!.Take(5).Should().Equal(3, 18, 255, 255, 255);
        ((Action)(() => folder.Read("ulm_1_2_leftImg8bit", W + 1, H))).Should().Throw<DatasetFileException>().WithMessage("*ulm_1_2_leftImg8bit.png*");
    }
}
