using DiGA.Core.Data;
using DiGA.Core.Data.Imaging;
using DiGA.Core.Labels;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace DiGA.Core.Tests.Data.Imaging;

public class ImageFileTests
{
    // Written by PIL 9 (see the generator values in each test): 10×6 images.
    private const string Palette4Bit = "iVBORw0KGgoAAAANSUhEUgAAAAoAAAAGBAMAAAAI3hL1AAAAMFBMVEX/AGT1JWTrSmThb2TXlGTNuWTD3mS5A2SvKGSlTWSbcmSRl2SHvGR94WRzBmRpK2QTCd3kAAAAK0lEQVR4nGNgVHZN72QwCauYtYchvXP12fcMs/bc+yDEcPY9UIbhgxBQBgD68w5oWSVaZAAAAABJRU5ErkJggg==";
    private const string Gray16Bit = "iVBORw0KGgoAAAANSUhEUgAAAAoAAAAGEAAAAACPC4xZAAAAFklEQVR4nGNkYGB+wYIGmRgYMSEtBAG/SAiJAljDXwAAAABJRU5ErkJggg==";
    private const string RgbFiltered = "iVBORw0KGgoAAAANSUhEUgAAAAoAAAAGCAIAAAB1kpiRAAAAKklEQVR42mNkYGCQxI1YGDQYGBjYcSG4NB9WhCwtionQpGXQEKa0MjICAJSyBORVFYCnAAAAAElFTkSuQmCC";

    [Fact]
    public void ReadLabel_PilPalette4Bit_ReturnsIndicesNotColours()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir["p.png"], Convert.FromBase64String(Palette4Bit));
        var label = ImageFile.ReadLabel(dir["p.png"]);
        label.Width.Should().Be(10);
        label.Height.Should().Be(6);
        for (var y = 0; y < 6; y++)
        {
            for (var x = 0; x < 10; x++)
            {
                label.Values[(y * 10) + x].Should().Be((ushort)((x + (3 * y)) % 16));
            }
        }
    }

    [Fact]
    public void ReadLabel_PilGray16Bit_Keeps16Bits()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir["g.png"], Convert.FromBase64String(Gray16Bit));
        var label = ImageFile.ReadLabel(dir["g.png"]);
        label.BitDepth.Should().Be(16);
        label.Values[(1 * 10) + 3].Should().Be(3001);
        label.Values[(5 * 10) + 9].Should().Be(9005);
    }

    [Fact]
    public void ReadRgb_PilFilteredPng_DecodesExactly()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir["rgb.png"], Convert.FromBase64String(RgbFiltered));
        var image = ImageFile.ReadRgb(dir["rgb.png"]);
        var label = ImageFile.ReadLabel(dir["rgb.png"]);
        for (var y = 0; y < 6; y++)
        {
            for (var x = 0; x < 10; x++)
            {
                var p = ((y * 10) + x) * 3;
                image.Pixels[p].Should().Be((byte)(x * 25));
                image.Pixels[p + 1].Should().Be((byte)(y * 40));
                image.Pixels[p + 2].Should().Be((byte)(x * y * 7 % 256));
                label.Values[(y * 10) + x].Should().Be((ushort)(x * 25), "a colour label PNG reads channel 0");
            }
        }
    }

    [Fact]
    public void ReadLabel_Adam7InterlacedPng_DeinterlacesEverySample()
    {
        using var dir = new TempDirectory();
        const int Width = 13;
        const int Height = 11;
        var eight = Enumerable.Range(0, Width * Height).Select(i => new L8((byte)(i * 5 % 256))).ToArray();
        using (var image = Image.LoadPixelData<L8>(eight, Width, Height))
        {
            image.Save(dir["i8.png"], new PngEncoder { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit8, InterlaceMethod = PngInterlaceMode.Adam7 });
        }

        var sixteen = Enumerable.Range(0, Width * Height).Select(i => new L16((ushort)(i * 401))).ToArray();
        using (var image = Image.LoadPixelData<L16>(sixteen, Width, Height))
        {
            image.Save(dir["i16.png"], new PngEncoder { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit16, InterlaceMethod = PngInterlaceMode.Adam7 });
        }

        File.ReadAllBytes(dir["i8.png"])[28].Should().Be(1, "the IHDR interlace byte marks Adam7");
        File.ReadAllBytes(dir["i16.png"])[28].Should().Be(1);
        ImageFile.ReadLabel(dir["i8.png"]).Values.Should().Equal(eight.Select(p => (ushort)p.PackedValue));
        ImageFile.ReadLabel(dir["i16.png"]).Values.Should().Equal(sixteen.Select(p => p.PackedValue));
    }

    [Fact]
    public void WriteAndRead_AllLabelFormats_RoundTrip()
    {
        using var dir = new TempDirectory();
        var values = Enumerable.Range(0, 12 * 7).Select(i => (byte)(i * 3 % 256)).ToArray();
        ImageFile.WriteLabel(dir["gray.png"], 12, 7, values);
        ImageFile.ReadLabel(dir["gray.png"]).Values.Should().Equal(values.Select(v => (ushort)v));

        var palette = Enumerable.Range(0, 256).Select(i => new LabelColor((byte)(255 - i), 0, (byte)i)).ToArray();
        ImageFile.WritePaletteLabel(dir["palette.png"], 12, 7, values, palette);
        ImageFile.ReadLabel(dir["palette.png"]).Values.Should().Equal(values.Select(v => (ushort)v));

        var wide = Enumerable.Range(0, 12 * 7 * 3).Select(i => (ushort)(i * 977 % 65536)).ToArray();
        ImageFile.WriteLabel16(dir["rgb16.png"], 12, 7, PngCodec.Rgb, wide);
        ImageFile.ReadLabel(dir["rgb16.png"]).Values.Should().Equal(Enumerable.Range(0, 12 * 7).Select(i => wide[i * 3]));
    }

    [Fact]
    public void WriteRgb_PngAndJpeg_RoundTrip()
    {
        using var dir = new TempDirectory();
        var pixels = Enumerable.Range(0, 16 * 8 * 3).Select(i => (byte)(i % 3 == 0 ? 200 : 60)).ToArray();
        ImageFile.WriteRgb(dir["a.png"], new RgbImage(16, 8, pixels));
        ImageFile.ReadRgb(dir["a.png"]).Pixels.Should().Equal(pixels);
        ImageFile.WriteRgb(dir["a.jpg"], new RgbImage(16, 8, pixels));
        var jpeg = ImageFile.ReadRgb(dir["a.jpg"]);
        jpeg.Pixels.Zip(pixels).Max(p => Math.Abs(p.First - p.Second)).Should().BeLessThan(12);
    }

    [Fact]
    public void ReadLabel_CorruptOrMissingFile_ThrowsNamingTheFile()
    {
        using var dir = new TempDirectory();
        ImageFile.WriteLabel(dir["ok.png"], 4, 4, new byte[16]);
        var bytes = File.ReadAllBytes(dir["ok.png"]);
        bytes[^20] ^= 0xFF;
        File.WriteAllBytes(dir["bad.png"], bytes);
        ((Action)(() => ImageFile.ReadLabel(dir["bad.png"]))).Should().Throw<DatasetFileException>().WithMessage("*bad.png*corrupt*");
        ((Action)(() => ImageFile.ReadLabel(dir["none.png"]))).Should().Throw<DatasetFileException>().WithMessage("*none.png*not found*");
        File.WriteAllText(dir["text.png"], "hello");
        ((Action)(() => ImageFile.ReadRgb(dir["text.png"]))).Should().Throw<DatasetFileException>().WithMessage("*text.png*decode*");
        ((Action)(() => ImageFile.ReadLabel(dir["text.png"]))).Should().Throw<DatasetFileException>().WithMessage("*text.png*not a PNG*");
    }

    [Fact]
    public void ReadRgb_LimitedDecoding_LeavesImageSharpDefaultsAlone()
    {
        using var dir = new TempDirectory();
        ImageFile.WriteRgb(dir["a.png"], new RgbImage(4, 4, new byte[48]));
        ImageFile.ReadRgb(dir["a.png"], 100).Width.Should().Be(4);
        var gif = Configuration.Default.ImageFormatsManager.FindDecoder(SixLabors.ImageSharp.Formats.Gif.GifFormat.Instance);
        gif.Should().BeOfType<SixLabors.ImageSharp.Formats.Gif.GifDecoder>().Which.DecodingMode.Should().Be(SixLabors.ImageSharp.Metadata.FrameDecodingMode.All);
        ((Action)(() => ImageFile.ReadRgb(dir["a.png"], 15))).Should().Throw<DatasetFileException>().WithMessage("*a.png: the image is 4×4 = 16 pixels, larger than the limit of 15 pixels (MaxImagePixels).");
        ((Action)(() => ImageFile.ReadRgb(dir["a.png"], 0))).Should().Throw<ArgumentOutOfRangeException>();
    }
}
