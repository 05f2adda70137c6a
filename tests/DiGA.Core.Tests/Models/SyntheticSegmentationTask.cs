using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Tests.Models;

/// <summary>A colour-coded block task: each 16×16 block has a class; its pixels take that class's colour plus noise.</summary>
internal static class SyntheticSegmentationTask
{
    public const int ClassCount = 4;

    /// <summary>Draws images <c>[N, 3, H, W]</c> (float32, roughly in [−1, 1]) and labels <c>[N, H, W]</c> (int64).</summary>
    public static (Tensor Images, Tensor Labels) Sample(int batch, int height, int width, Generator generator)
    {
        using var scope = NewDisposeScope();
        var cells = randint(0, ClassCount, [batch, 1, height / 16, width / 16], generator: generator).to(ScalarType.Float32);
        var labels = nn.functional.interpolate(cells, size: [height, width], mode: InterpolationMode.Nearest).squeeze(1).to(ScalarType.Int64);
        var palette = tensor(new float[] { -0.8f, -0.8f, -0.8f, 0.8f, -0.6f, -0.6f, -0.6f, 0.8f, -0.6f, -0.6f, -0.6f, 0.8f }).reshape(ClassCount, 3);
        var images = palette.index([labels]).permute(0, 3, 1, 2);
        images = images + (0.3 * randn([batch, 3, height, width], generator: generator));
        return (images.contiguous().MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope());
    }
}
