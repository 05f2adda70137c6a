using DiGA.Core.Labels;
using Microsoft.Extensions.Logging;

namespace DiGA.Core.Data.Datasets;

/// <summary>
/// Cityscapes: <c>leftImg8bit/{split}/&lt;city&gt;/*_leftImg8bit.png</c> with <c>gtFine/{split}/&lt;city&gt;/*_gtFine_labelIds.png</c>
/// (or <c>*_gtFine_labelTrainIds.png</c>, when present, with <see cref="SegmentationDatasetOptions.UseTrainIdLabels"/>).
/// </summary>
/// <remarks>
/// Sample ids are the image file names without extension (<c>aachen_000000_000019_leftImg8bit</c>), which is also the
/// pseudo-label file stem. List files name one image per line relative to <c>leftImg8bit/{split}</c>
/// (<c>aachen/aachen_000000_000019_leftImg8bit.png</c>). The split defaults to <c>train</c>.
/// </remarks>
public sealed class CityscapesDataset : FileSegmentationDataset
{
    private const string ImageSuffix = "_leftImg8bit.png";
    private const string TrainIdSuffix = "_gtFine_labelTrainIds.png";
    private readonly LabelSpace _trainIdSpace;

    /// <summary>Indexes the dataset.</summary>
    /// <param name="options">The options; <see cref="SegmentationDatasetOptions.Root"/> holds <c>leftImg8bit</c> and <c>gtFine</c>.</param>
    /// <param name="labelSpace"><see cref="LabelSpace.Cityscapes19"/> (default) or <see cref="LabelSpace.Cityscapes16"/> (SYNTHIA setting), or any labelId space.</param>
    /// <param name="logger">An optional logger.</param>
    /// <exception cref="DatasetFileException">The root, the list file or a listed file is missing, or the dataset is empty.</exception>
    /// <exception cref="ArgumentException">Train-id labels were asked for with a label space that has no train-id counterpart.</exception>
    public CityscapesDataset(SegmentationDatasetOptions options, LabelSpace? labelSpace = null, ILogger<CityscapesDataset>? logger = null)
        : base("cityscapes", Discover(options), labelSpace ?? LabelSpace.Cityscapes19, options, logger)
    {
        _trainIdSpace = LabelSpace == LabelSpace.Cityscapes16 ? LabelSpace.Cityscapes16TrainIds
            : LabelSpace == LabelSpace.Cityscapes19 ? LabelSpace.Cityscapes19TrainIds
            : options.UseTrainIdLabels ? throw new ArgumentException($"Train-id label files need the Cityscapes19 or Cityscapes16 label space, not '{LabelSpace.Name}'.", nameof(labelSpace))
            : LabelSpace;
    }

    /// <inheritdoc />
    protected override LabelSpace GetLabelSpace(SampleFiles files) =>
        files.LabelPath is not null && files.LabelPath.EndsWith(TrainIdSuffix, StringComparison.Ordinal) ? _trainIdSpace : LabelSpace;

    private static IEnumerable<SampleFiles> Discover(SegmentationDatasetOptions options)
    {
        var root = CheckRoot(options);
        var split = options.Split ?? "train";
        var images = Path.Combine(root, "leftImg8bit", split);
        var relative = options.ListFile is null
            ? ListFiles(images, "*" + ImageSuffix, recursive: true).Select(p => Path.GetRelativePath(images, p))
            : ReadList(options.ListFile);
        var result = new List<SampleFiles>();
        foreach (var entry in relative)
        {
            var imagePath = Path.Combine(images, entry);
            var stem = entry.EndsWith(ImageSuffix, StringComparison.Ordinal) ? entry[..^ImageSuffix.Length] : Path.ChangeExtension(entry, null);
            var labelBase = Path.Combine(root, "gtFine", split, stem);
            var labelPath = labelBase + "_gtFine_labelIds.png";
            if (options.UseTrainIdLabels && File.Exists(labelBase + TrainIdSuffix))
            {
                labelPath = labelBase + TrainIdSuffix;
            }

            result.Add(new SampleFiles(Path.GetFileNameWithoutExtension(entry), imagePath, labelPath));
        }

        return result;
    }
}
