using DiGA.Core.Labels;
using Microsoft.Extensions.Logging;

namespace DiGA.Core.Data.Datasets;

/// <summary>GTA5: <c>images/NNNNN.png</c> and <c>labels/NNNNN.png</c> (palette PNGs of Cityscapes labelIds), 19 classes.</summary>
/// <remarks>List files (e.g. <c>train_modified.txt</c>) name one image file per line (<c>00001.png</c>).</remarks>
public sealed class Gta5Dataset : FileSegmentationDataset
{
    /// <summary>Indexes the dataset.</summary>
    /// <param name="options">The options; <see cref="SegmentationDatasetOptions.Root"/> is the folder holding <c>images</c> and <c>labels</c>.</param>
    /// <param name="labelSpace">The label space (default <see cref="LabelSpace.Cityscapes19"/>; <see cref="LabelSpace.Cityscapes16"/> also reads labelIds).</param>
    /// <param name="logger">An optional logger.</param>
    /// <exception cref="DatasetFileException">The root, the list file or a listed file is missing, or the dataset is empty.</exception>
    public Gta5Dataset(SegmentationDatasetOptions options, LabelSpace? labelSpace = null, ILogger<Gta5Dataset>? logger = null)
        : base("gta5", Discover(options), labelSpace ?? LabelSpace.Cityscapes19, options, logger)
    {
    }

    private static IEnumerable<SampleFiles> Discover(SegmentationDatasetOptions options)
    {
        var root = CheckRoot(options);
        var images = Path.Combine(root, "images");
        var names = options.ListFile is null ? ListFiles(images, "*.png").Select(p => Path.GetFileName(p)!) : ReadList(options.ListFile);
        return [.. names.Select(n => new SampleFiles(Path.GetFileNameWithoutExtension(n), Path.Combine(images, n), Path.Combine(root, "labels", n)))];
    }
}
