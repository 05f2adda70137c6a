using DiGA.Core.Models.DeepLab;
using static TorchSharp.torch;

namespace DiGA.Core.Benchmarks;

/// <summary>Benchmark inputs at the reference sizes, built the same way as in <c>reference/bench_reference.py</c>.</summary>
internal static class Inputs
{
    /// <summary>The reference batch, classes and crop.</summary>
    public const int Batch = 3, Classes = 19, Height = 512, Width = 896;

    /// <summary>The DeepLabV2 feature grid and width at the reference crop (§3.1).</summary>
    public const int FeatureHeight = 65, FeatureWidth = 113, FeatureChannels = 256;

    /// <summary>The ignore label.</summary>
    public const long Ignore = 255;

    /// <summary>Gets the size string of the loss inputs.</summary>
    public const string LogitsSize = "B=3 C=19 512x896";

    /// <summary>Creates a CPU generator with a fixed seed.</summary>
    public static Generator Generator(long seed) => new Generator((ulong)seed, CPU);

    /// <summary>Standard-normal images scaled by 0.5, <c>[n, 3, h, w]</c> float32.</summary>
    public static Tensor Images(long n, long h, long w, Generator generator) => randn([n, 3, h, w], generator: generator) * 0.5;

    /// <summary>Standard-normal logits <c>[Batch, Classes, Height, Width]</c>.</summary>
    public static Tensor Logits(Generator generator, bool requiresGrad = false) =>
        randn([Batch, Classes, Height, Width], generator: generator).requires_grad_(requiresGrad);

    /// <summary>
    /// Label maps made of <paramref name="cell"/>×<paramref name="cell"/> blocks: each image uses a random subset of
    /// <paramref name="classesPerImage"/> classes, and (unless <paramref name="dense"/>) about 5 % of the blocks are ignored.
    /// </summary>
    public static Tensor BlockLabels(long n, long h, long w, Generator generator, int classesPerImage = 14, long cell = 32, bool dense = false)
    {
        using var scope = NewDisposeScope();
        var gh = (h + cell - 1) / cell;
        var gw = (w + cell - 1) / cell;
        var subset = rand([n, Classes], generator: generator).argsort(1)[.., ..classesPerImage];
        var pick = randint(0, classesPerImage, [n, gh * gw], generator: generator);
        var labels = subset.gather(1, pick).view(n, gh, gw);
        if (!dense)
        {
            labels = where(rand([n, gh, gw], generator: generator) < 0.05, tensor(Ignore), labels);
        }

        return labels.repeat_interleave(cell, 1).repeat_interleave(cell, 2)[.., ..(int)h, ..(int)w].contiguous().MoveToOuterDisposeScope();
    }
}
