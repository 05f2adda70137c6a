using DiGA.Core.Data.Imaging;
using DiGA.Core.Labels;

namespace DiGA.Core.Data.Datasets;

/// <summary>
/// A flat folder of pseudo-label PNGs, one per target image, named <c>&lt;sample id&gt;.png</c> (for Cityscapes the image's
/// file name, e.g. <c>aachen_000000_000019_leftImg8bit.png</c>). Values in <c>[0, ClassCount)</c> are classes; any other value reads as 255.
/// </summary>
/// <remarks>Thread-safe for concurrent reads and for writes of different ids.</remarks>
public sealed class PseudoLabelFolder
{
    private readonly int _maxImagePixels = SegmentationDatasetOptions.DefaultMaxImagePixels;

    /// <summary>Initialises the folder (it is created on the first write).</summary>
    /// <param name="directory">The folder.</param>
    /// <param name="classCount">The number of classes (19 or 16 for the reference settings).</param>
    public PseudoLabelFolder(string directory, int classCount)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(classCount, 255);
        Directory = directory;
        ClassCount = classCount;
    }

    /// <summary>Gets the folder.</summary>
    public string Directory { get; }

    /// <summary>Gets the number of classes.</summary>
    public int ClassCount { get; }

    /// <summary>Gets the largest pseudo-label (width × height) that is decoded; larger files throw a <see cref="DatasetFileException"/>.</summary>
    /// <value>The default value is <see cref="SegmentationDatasetOptions.DefaultMaxImagePixels"/>.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside [1, <see cref="SegmentationDatasetOptions.MaxImagePixelsLimit"/>].</exception>
    public int MaxImagePixels
    {
        get => _maxImagePixels;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, SegmentationDatasetOptions.MaxImagePixelsLimit);
            _maxImagePixels = value;
        }
    }

    /// <summary>Gets the file of a sample's pseudo-label.</summary>
    /// <param name="sampleId">The sample id.</param>
    /// <returns>The path <c>Directory/&lt;sampleId&gt;.png</c>.</returns>
    public string PathFor(string sampleId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sampleId);
        return Path.Combine(Directory, sampleId + ".png");
    }

    /// <summary>Reads a pseudo-label.</summary>
    /// <param name="sampleId">The sample id.</param>
    /// <param name="width">The expected width.</param>
    /// <param name="height">The expected height.</param>
    /// <returns>Row-major <c>[height, width]</c> train ids, 255 = ignore.</returns>
    /// <exception cref="DatasetFileException">The file is missing, corrupt, larger than <see cref="MaxImagePixels"/> or of another size.</exception>
    public byte[] Read(string sampleId, int width, int height)
    {
        var path = PathFor(sampleId);
        var raw = ImageFile.ReadLabel(path, MaxImagePixels);
        if (raw.Width != width || raw.Height != height)
        {
            throw new DatasetFileException(path, $"pseudo-label is {raw.Width}×{raw.Height} but its image is {width}×{height}.");
        }

        var labels = new byte[raw.Values.Length];
        for (var i = 0; i < labels.Length; i++)
        {
            labels[i] = raw.Values[i] < ClassCount ? (byte)raw.Values[i] : LabelSpace.IgnoreIndex;
        }

        return labels;
    }

    /// <summary>Writes a pseudo-label as an 8-bit greyscale PNG.</summary>
    /// <param name="sampleId">The sample id.</param>
    /// <param name="width">The width.</param>
    /// <param name="height">The height.</param>
    /// <param name="labels">Row-major <c>[height, width]</c> train ids (255 = ignore).</param>
    public void Write(string sampleId, int width, int height, ReadOnlySpan<byte> labels) => ImageFile.WriteLabel(PathFor(sampleId), width, height, labels);

    /// <summary>Pairs the images of a dataset with the pseudo-labels of this folder.</summary>
    /// <param name="images">The image dataset (its own labels are not used).</param>
    /// <returns>A dataset whose labels are the pseudo-labels; missing or invalid files throw on load.</returns>
    public ISegmentationDataset Label(ISegmentationDataset images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.LabelSpace.ClassCount != ClassCount)
        {
            throw new ArgumentException($"Dataset '{images.Name}' has {images.LabelSpace.ClassCount} classes but the pseudo-labels have {ClassCount}.", nameof(images));
        }

        return new PseudoLabelledDataset(images, this);
    }

    private sealed class PseudoLabelledDataset(ISegmentationDataset images, PseudoLabelFolder folder) : ISegmentationDataset
    {
        public string Name => $"{images.Name}+pseudo";

        public int Count => images.Count;

        public LabelSpace LabelSpace => images.LabelSpace;

        public bool HasLabels => true;

        public IReadOnlyList<SkippedSample> SkippedSamples => images.SkippedSamples;

        public SegmentationSample Load(int index)
        {
            var sample = images.Load(index);
            return new SegmentationSample(sample.Id, sample.Width, sample.Height, sample.Image, folder.Read(sample.Id, sample.Width, sample.Height));
        }

        public string DescribeSample(int index) => $"{images.DescribeSample(index)}, pseudo-labels in {folder.Directory}";
    }
}
