using DiGA.Core.Tests.Helpers;
using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Tests.Data.Imaging;

public class ImageNormalizationTests
{
    [Fact]
    public void Normalize_Reference_FlipsToBgrSubtractsMeanAndDividesBy128()
    {
        using var rgb = tensor(new byte[] { 10, 200, 30 }).reshape(1, 3, 1, 1);

        using var x = ImageNormalization.Reference.Normalize(rgb);

        x.data<float>().ToArray().Should().Equal(
            new[] { (30 - 104.00698793f) / 128f, (200 - 116.66876762f) / 128f, (10 - 122.67891434f) / 128f });
    }

    [Fact]
    public void Denormalize_InvertsNormalize()
    {
        var generator = new Generator(0);
        using var rgb = randint(0, 256, [2, 3, 4, 5], dtype: ScalarType.Float32, generator: generator);

        foreach (var normalization in new[] { ImageNormalization.Reference, ImageNormalization.ImageNet })
        {
            using var x = normalization.Normalize(rgb);
            using var back = normalization.Denormalize(x);
            TensorAssert.Close(back, rgb, 1e-3);
        }
    }

    [Fact]
    public void Normalize_WrongChannelCount_NamesTheShape()
    {
        using var gray = zeros(1, 1, 4, 4);

        var act = () => ImageNormalization.Reference.Normalize(gray);

        act.Should().Throw<ArgumentException>().WithMessage("*[1, 1, 4, 4]*");
    }
}
