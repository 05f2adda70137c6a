using DiGA.Core.Labels;
using Microsoft.Extensions.Logging;

namespace DiGA.Core.Data.Datasets;

/// <summary>Mapillary Vistas v1.2: <c>{split}/images/&lt;name&gt;.jpg</c> with <c>{split}/labels/&lt;name&gt;.png</c> (Vistas ids mapped to 19 classes).</summary>
/// <remarks>
/// The split defaults to <c>validation</c>. List files name one image file per line, relative to <c>{split}/images</c>.
/// The reference evaluates Mapillary force-resized to 1080×1920: set <see cref="SegmentationDatasetOptions.ResizeHeight"/>/<see cref="SegmentationDatasetOptions.ResizeWidth"/>.
/// </remarks>
public sealed class MapillaryDataset : FileSegmentationDataset
{
    /// <summary>Indexes the dataset.</summary>
    /// <param name="options">The options; <see cref="SegmentationDatasetOptions.Root"/> holds the split folder.</param>
    /// <param name="logger">An optional logger.</param>
    /// <exception cref="DatasetFileException">The root, the list file or a listed file is missing, or the dataset is empty.</exception>
    public MapillaryDataset(SegmentationDatasetOptions options, ILogger<MapillaryDataset>? logger = null)
        : base("mapillary", Discover(options), LabelSpace.Mapillary19, options, logger)
    {
    }

    private static IEnumerable<SampleFiles> Discover(SegmentationDatasetOptions options)
    {
        var root = CheckRoot(options);
        var split = Path.Combine(root, options.Split ?? "validation");
        var images = Path.Combine(split, "images");
        var names = options.ListFile is null ? ListFiles(images, "*.jpg").Select(p => Path.GetFileName(p)!) : ReadList(options.ListFile);
        return [.. names.Select(n => new SampleFiles(Path.GetFileNameWithoutExtension(n), Path.Combine(images, n), Path.Combine(split, "labels", Path.GetFileNameWithoutExtension(n) + ".png")))];
    }
}
