using DiGA.Core.Data.Imaging;
using DiGA.Core.Labels;

namespace DiGA.Core.Data.Synthetic;

/// <summary>Writes the synthetic sets in the GTA5 (source) and Cityscapes (target) file layouts, labels as Cityscapes labelIds.</summary>
internal static class SyntheticDiskWriter
{
    internal const string City = "synthetic";

    public static void Write(SyntheticBenchmark benchmark, string root)
    {
        var space = LabelSpace.Cityscapes19;
        var trainIdToLabelId = new byte[256];
        for (var v = 0; v < 256; v++)
        {
            trainIdToLabelId[v] = (byte)(v < space.ClassCount ? space.GetRawValue(v) : space.GetRawValue(LabelSpace.IgnoreIndex));
        }

        var palette = new LabelColor[34];
        for (var id = 0; id < palette.Length; id++)
        {
            palette[id] = space.TryMap(id, out var trainId) && trainId != LabelSpace.IgnoreIndex ? space.Colors[trainId] : new LabelColor(0, 0, 0);
        }

        var source = benchmark.Source;
        var sourceRoot = Path.Combine(root, "source");
        Parallel.For(0, source.Count, i =>
        {
            var sample = source.Load(i);
            var name = $"{i:D5}.png";
            ImageFile.WriteRgb(Path.Combine(sourceRoot, "images", name), new RgbImage(sample.Width, sample.Height, sample.Image));
            ImageFile.WritePaletteLabel(Path.Combine(sourceRoot, "labels", name), sample.Width, sample.Height, Remap(sample.Label!, trainIdToLabelId), palette);
        });

        var targetRoot = Path.Combine(root, "target");
        foreach (var (dataset, split) in new[] { (benchmark.TargetTrain, "train"), (benchmark.TargetVal, "val") })
        {
            Parallel.For(0, dataset.Count, i =>
            {
                var sample = dataset.Load(i);
                var stem = $"{City}_000000_{i:D6}";
                ImageFile.WriteRgb(Path.Combine(targetRoot, "leftImg8bit", split, City, stem + "_leftImg8bit.png"), new RgbImage(sample.Width, sample.Height, sample.Image));
                ImageFile.WriteLabel(Path.Combine(targetRoot, "gtFine", split, City, stem + "_gtFine_labelIds.png"), sample.Width, sample.Height, Remap(sample.Label!, trainIdToLabelId));
            });
        }
    }

    private static byte[] Remap(byte[] trainIds, byte[] lookup)
    {
        var raw = new byte[trainIds.Length];
        for (var i = 0; i < raw.Length; i++)
        {
            raw[i] = lookup[trainIds[i]];
        }

        return raw;
    }
}
