using DiGA.Core.Labels;
using Microsoft.Extensions.Logging;

namespace DiGA.Core.Data.Datasets;

/// <summary>SYNTHIA RAND_CITYSCAPES: <c>RGB/NNNNNNN.png</c> and <c>GT/LABELS/NNNNNNN.png</c> (16-bit PNG, class in channel 0), 16 classes.</summary>
/// <remarks>List files name one image file per line (<c>0000000.png</c>).</remarks>
public sealed class SynthiaDataset : FileSegmentationDataset
{
    /// <summary>Indexes the dataset.</summary>
    /// <param name="options">The options; <see cref="SegmentationDatasetOptions.Root"/> is the <c>RAND_CITYSCAPES</c> folder.</param>
    /// <param name="labelSpace">The label space (default <see cref="LabelSpace.Synthia16"/>).</param>
    /// <param name="logger">An optional logger.</param>
    /// <exception cref="DatasetFileException">The root, the list file or a listed file is missing, or the dataset is empty.</exception>
    public SynthiaDataset(SegmentationDatasetOptions options, LabelSpace? labelSpace = null, ILogger<SynthiaDataset>? logger = null)
        : base("synthia", Discover(options), labelSpace ?? LabelSpace.Synthia16, options, logger)
    {
    }

    private static IEnumerable<SampleFiles> Discover(SegmentationDatasetOptions options)
    {
        var root = CheckRoot(options);
        var images = Path.Combine(root, "RGB");
        var names = options.ListFile is null ? ListFiles(images, "*.png").Select(p => Path.GetFileName(p)!) : ReadList(options.ListFile);
        return [.. names.Select(n => new SampleFiles(Path.GetFileNameWithoutExtension(n), Path.Combine(images, n), Path.Combine(root, "GT", "LABELS", n)))];
    }
}
