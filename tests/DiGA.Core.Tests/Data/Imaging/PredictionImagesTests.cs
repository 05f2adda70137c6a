using DiGA.Core.Data.Imaging;
using DiGA.Core.Labels;
using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Tests.Data.Imaging;

public class PredictionImagesTests
{
    [Fact]
    public void Colorize_UsesCityscapesColoursAndBlackForIgnore()
    {
        var rgb = PredictionImages.Colorize([0, 13, 255], LabelSpace.Cityscapes19);
        rgb.Should().Equal(128, 64, 128, 0, 0, 142, 0, 0, 0);
    }

    [Fact]
    public void Overlay_BlendsClassesAndKeepsIgnoredPixels()
    {
        var output = PredictionImages.Overlay([100, 100, 100, 100, 100, 100], [0, 255], LabelSpace.Cityscapes19, alpha: 0.5);
        output.Should().Equal(114, 82, 114, 100, 100, 100);
    }

    [Fact]
    public void SaveMethods_WriteReadableFiles()
    {
        using var dir = new TempDirectory();
        using var labels = tensor(new long[] { 0, 1, 2, 255, 13, 10 }, [2, 3]);
        PredictionImages.SaveLabels(labels, dir["pred.png"]);
        ImageFile.ReadLabel(dir["pred.png"]).Values.Should().Equal(0, 1, 2, 255, 13, 10);
        PredictionImages.SaveColorized(labels, dir["color.png"], LabelSpace.Cityscapes19);
        ImageFile.ReadRgb(dir["color.png"]).Pixels.Take(3).Should().Equal(128, 64, 128);
        PredictionImages.SavePaletteLabels(labels, dir["palette.png"], LabelSpace.Cityscapes19);
        ImageFile.ReadLabel(dir["palette.png"]).Values.Should().Equal(0, 1, 2, 255, 13, 10);
        ImageFile.ReadRgb(dir["palette.png"]).Pixels.Skip(9).Take(6).Should().Equal(0, 0, 0, 0, 0, 142);
        using (var stream = File.OpenRead(dir["palette.png"]))
        {
            ImageFile.ReadLabel(stream, "palette.png").Values.Should().Equal(0, 1, 2, 255, 13, 10);
        }

        using var image = full([3, 2, 3], 100, ScalarType.Byte);
        PredictionImages.SaveOverlay(image, labels, dir["overlay.png"], LabelSpace.Cityscapes19);
        ImageFile.ReadRgb(dir["overlay.png"]).Pixels.Skip(9).Take(3).Should().Equal(100, 100, 100);
        ((Action)(() => PredictionImages.SaveOverlay(image, labels.T, dir["x.png"], LabelSpace.Cityscapes19))).Should().Throw<ArgumentException>();
    }
}
