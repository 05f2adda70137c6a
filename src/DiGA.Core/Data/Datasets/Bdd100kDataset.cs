using DiGA.Core.Labels;
using Microsoft.Extensions.Logging;

namespace DiGA.Core.Data.Datasets;

/// <summary>BDD100K: <c>images/{split}/&lt;name&gt;.jpg</c> with <c>gtFine/{split}/&lt;name&gt;_train_id.png</c> (train ids 0…18, else ignored).</summary>
/// <remarks>The split defaults to <c>val</c>. List files name one image file per line, relative to <c>images/{split}</c>.</remarks>
public sealed class Bdd100kDataset : FileSegmentationDataset
{
    /// <summary>Indexes the dataset.</summary>
    /// <param name="options">The options; <see cref="SegmentationDatasetOptions.Root"/> holds <c>images</c> and <c>gtFine</c>.</param>
    /// <param name="logger">An optional logger.</param>
    /// <exception cref="DatasetFileException">The root, the list file or a listed file is missing, or the dataset is empty.</exception>
    public Bdd100kDataset(SegmentationDatasetOptions options, ILogger<Bdd100kDataset>? logger = null)
        : base("bdd100k", Discover(options), LabelSpace.Bdd100k, options, logger)
    {
    }

    private static IEnumerable<SampleFiles> Discover(SegmentationDatasetOptions options)
    {
        var root = CheckRoot(options);
        var split = options.Split ?? "val";
        var images = Path.Combine(root, "images", split);
        var names = options.ListFile is null ? ListFiles(images, "*.jpg").Select(p => Path.GetFileName(p)!) : ReadList(options.ListFile);
        return [.. names.Select(n => new SampleFiles(Path.GetFileNameWithoutExtension(n), Path.Combine(images, n), Path.Combine(root, "gtFine", split, Path.GetFileNameWithoutExtension(n) + "_train_id.png")))];
    }
}
