using DiGA.Core.Labels;
using Microsoft.Extensions.Logging;

namespace DiGA.Core.Data.Datasets;

/// <summary>
/// A custom dataset: <c>images/&lt;name&gt;.{png,jpg,jpeg}</c> with <c>labels/&lt;name&gt;.png</c>, labels mapped by a class map
/// (usually strict: <see cref="ClassMapFile.Load"/>).
/// </summary>
/// <remarks>List files name one image file per line, relative to <c>images</c>. <see cref="SegmentationDatasetOptions.Split"/>, when set, is a sub-folder of both.</remarks>
public sealed class FolderDataset : FileSegmentationDataset
{
    private static readonly string[] Extensions = [".png", ".jpg", ".jpeg"];

    /// <summary>Indexes the dataset.</summary>
    /// <param name="options">The options; <see cref="SegmentationDatasetOptions.Root"/> holds <c>images</c> and <c>labels</c>.</param>
    /// <param name="labelSpace">The class map.</param>
    /// <param name="logger">An optional logger.</param>
    /// <exception cref="DatasetFileException">The root, the list file or a listed file is missing, or the dataset is empty.</exception>
    public FolderDataset(SegmentationDatasetOptions options, LabelSpace labelSpace, ILogger<FolderDataset>? logger = null)
        : base("folder", Discover(options), labelSpace, options, logger)
    {
    }

    private static IEnumerable<SampleFiles> Discover(SegmentationDatasetOptions options)
    {
        var root = CheckRoot(options);
        var images = Path.Combine(root, "images", options.Split ?? string.Empty);
        var labels = Path.Combine(root, "labels", options.Split ?? string.Empty);
        var names = options.ListFile is null
            ? ListFiles(images, "*").Where(p => Extensions.Contains(Path.GetExtension(p).ToLowerInvariant())).Select(p => Path.GetFileName(p)!)
            : ReadList(options.ListFile);
        return [.. names.Select(n => new SampleFiles(Path.GetFileNameWithoutExtension(n), Path.Combine(images, n), Path.Combine(labels, Path.GetFileNameWithoutExtension(n) + ".png")))];
    }
}
