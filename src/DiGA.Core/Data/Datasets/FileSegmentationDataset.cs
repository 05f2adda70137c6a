using System.ComponentModel.DataAnnotations;
using System.Text;
using DiGA.Core.Data.Imaging;
using DiGA.Core.Data.Transforms;
using DiGA.Core.Labels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DiGA.Core.Data.Datasets;

/// <summary>
/// Base of the file-based readers: an indexed list of (image file, label file) pairs, decoded on demand, labels mapped
/// through a <see cref="LabelSpace"/>. Derive from it to support another folder layout.
/// </summary>
/// <remarks>
/// <para>
/// While indexing, a missing image or label file (including one named by a list file) throws a
/// <see cref="DatasetFileException"/> naming it, or, with <see cref="InvalidSamplePolicy.Skip"/>, is left out, logged and
/// listed in <see cref="SkippedSamples"/>. An empty result always throws. <see cref="Load"/> throws a
/// <see cref="DatasetFileException"/> naming the file for an undecodable image or label, one larger than
/// <see cref="SegmentationDatasetOptions.MaxImagePixels"/> (checked against the file header before decoding), an image/label size mismatch,
/// and a label value a strict label space does not list (the loader's own policy decides whether to skip those).
/// </para>
/// <para>The optional pre-resize maps labels first, then resizes them nearest (identical to resizing raw ids first).</para>
/// </remarks>
public abstract class FileSegmentationDataset : ISegmentationDataset
{
    /// <summary>The longest line a list file may have: 4096 characters, the longest path Linux accepts.</summary>
    public const int MaxListLineLength = 4096;

    private readonly SampleFiles[] _files;
    private readonly List<SkippedSample> _skipped = [];
    private readonly int _resizeHeight;
    private readonly int _resizeWidth;
    private readonly int _maxImagePixels;

    /// <summary>Initialises the dataset from candidate file pairs.</summary>
    /// <param name="name">The dataset name.</param>
    /// <param name="candidates">The (id, image path, label path) triples; label paths are ignored when labels are not included.</param>
    /// <param name="labelSpace">How raw label values map to train ids.</param>
    /// <param name="options">The reader options.</param>
    /// <param name="logger">An optional logger.</param>
    /// <exception cref="DatasetFileException">A file is missing (policy Throw) or no sample remains.</exception>
    protected FileSegmentationDataset(string name, IEnumerable<SampleFiles> candidates, LabelSpace labelSpace, SegmentationDatasetOptions options, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(labelSpace);
        ArgumentNullException.ThrowIfNull(options);
        logger ??= NullLogger.Instance;
        Name = name;
        LabelSpace = labelSpace;
        HasLabels = options.IncludeLabels;
        _resizeHeight = options.ResizeHeight;
        _resizeWidth = options.ResizeWidth;
        if ((_resizeHeight == 0) != (_resizeWidth == 0))
        {
            throw new ArgumentException("Set both ResizeHeight and ResizeWidth, or neither.", nameof(options));
        }

        _maxImagePixels = options.MaxImagePixels is > 0 and <= SegmentationDatasetOptions.MaxImagePixelsLimit
            ? options.MaxImagePixels
            : throw new ArgumentOutOfRangeException(nameof(options), options.MaxImagePixels, $"MaxImagePixels must be in [1, {SegmentationDatasetOptions.MaxImagePixelsLimit}].");

        var kept = new List<SampleFiles>();
        foreach (var files in candidates)
        {
            var missing = !File.Exists(files.ImagePath) ? files.ImagePath
                : HasLabels && (files.LabelPath is null || !File.Exists(files.LabelPath)) ? files.LabelPath ?? files.ImagePath
                : null;
            if (missing is null)
            {
                kept.Add(files);
                continue;
            }

            var reason = missing == files.ImagePath ? "image file not found." : $"label file not found (for image {files.ImagePath}).";
            if (options.InvalidSamplePolicy == InvalidSamplePolicy.Throw)
            {
                throw new DatasetFileException(missing, reason);
            }

            _skipped.Add(new SkippedSample(files.Id, missing, reason));
            logger.LogWarning("Skipping sample {Sample} of {Dataset}: {File}: {Reason}", files.Id, name, missing, reason);
        }

        if (kept.Count == 0)
        {
            throw new DatasetFileException(options.Root, $"dataset '{name}' is empty: no sample found{(options.ListFile is null ? string.Empty : $" for list {options.ListFile}")}.");
        }

        _files = [.. kept];
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public int Count => _files.Length;

    /// <inheritdoc />
    public LabelSpace LabelSpace { get; }

    /// <inheritdoc />
    public bool HasLabels { get; }

    /// <inheritdoc />
    public IReadOnlyList<SkippedSample> SkippedSamples => _skipped;

    /// <summary>Gets the files of a sample.</summary>
    /// <param name="index">The sample index.</param>
    /// <returns>The sample's files.</returns>
    public SampleFiles GetFiles(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _files.Length);
        return _files[index];
    }

    /// <inheritdoc />
    public SegmentationSample Load(int index)
    {
        var files = GetFiles(index);
        var image = ImageFile.ReadRgb(files.ImagePath, _maxImagePixels);
        byte[]? label = null;
        if (HasLabels)
        {
            var raw = ImageFile.ReadLabel(files.LabelPath!, _maxImagePixels);
            if (raw.Width != image.Width || raw.Height != image.Height)
            {
                throw new DatasetFileException(files.LabelPath!, $"label is {raw.Width}×{raw.Height} but its image {files.ImagePath} is {image.Width}×{image.Height}.");
            }

            label = MapLabels(raw.Values, raw.Width, GetLabelSpace(files), files.LabelPath!);
        }

        var sample = new SegmentationSample(files.Id, image.Width, image.Height, image.Pixels, label);
        return _resizeHeight > 0 ? new Resize(_resizeHeight, _resizeWidth).Apply(sample, Random.Shared) : sample;
    }

    /// <inheritdoc />
    public string DescribeSample(int index)
    {
        var files = GetFiles(index);
        return HasLabels ? $"{files.Id} (image {files.ImagePath}, label {files.LabelPath})" : $"{files.Id} (image {files.ImagePath})";
    }

    /// <summary>Gets the label space that maps the raw values of a sample's label file (by default <see cref="LabelSpace"/>).</summary>
    /// <param name="files">The sample's files.</param>
    /// <returns>The label space for that file.</returns>
    protected virtual LabelSpace GetLabelSpace(SampleFiles files) => LabelSpace;

    internal static byte[] MapLabels(ushort[] raw, int width, LabelSpace space, string path)
    {
        var mapped = new byte[raw.Length];
        for (var i = 0; i < raw.Length; i++)
        {
            if (!space.TryMap(raw[i], out mapped[i]))
            {
                throw new DatasetFileException(path, $"label value {raw[i]} at (x={i % width}, y={i / width}) is not in the class map of '{space.Name}'.");
            }
        }

        return mapped;
    }

    /// <summary>Validates reader options and returns the root.</summary>
    /// <param name="options">The options.</param>
    /// <returns>The full path of the root directory.</returns>
    /// <exception cref="DatasetFileException">The root directory does not exist.</exception>
    protected static string CheckRoot(SegmentationDatasetOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validator.ValidateObject(options, new ValidationContext(options), validateAllProperties: true);
        if (!Directory.Exists(options.Root))
        {
            throw new DatasetFileException(options.Root, "dataset root directory not found.");
        }

        return Path.GetFullPath(options.Root);
    }

    /// <summary>Reads a list file: one relative path or id per line; blank lines and lines starting with '#' are ignored.</summary>
    /// <param name="path">The list file.</param>
    /// <returns>The entries (the first whitespace-separated token of each line).</returns>
    /// <exception cref="DatasetFileException">
    /// The list file is missing or unreadable, is not UTF-8 text (e.g. an image renamed <c>.txt</c>), or has a line longer
    /// than <see cref="MaxListLineLength"/> characters; the message names the file and the line.
    /// </exception>
    protected static IReadOnlyList<string> ReadList(string path)
    {
        if (!File.Exists(path))
        {
            throw new DatasetFileException(path, "list file not found.");
        }

        var entries = new List<string>();
        try
        {
            using var reader = new StreamReader(path, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: true);
            var line = new StringBuilder();
            var number = 1;
            for (var c = reader.Read(); ; c = reader.Read())
            {
                if (c is -1 or '\n')
                {
                    var entry = line.ToString().Trim();
                    if (entry.Length > 0 && !entry.StartsWith('#'))
                    {
                        entries.Add(entry.Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries)[0]);
                    }

                    if (c == -1)
                    {
                        break;
                    }

                    line.Clear();
                    number++;
                    continue;
                }

                if (c == '\0' || (char.IsControl((char)c) && c is not '\r' and not '\t'))
                {
                    throw new DatasetFileException(path, $"not a text list file (control character 0x{c:X2} on line {number}).");
                }

                if (line.Length == MaxListLineLength)
                {
                    throw new DatasetFileException(path, $"line {number} is longer than {MaxListLineLength} characters; a list file names one image per line.");
                }

                line.Append((char)c);
            }
        }
        catch (DecoderFallbackException ex)
        {
            throw new DatasetFileException(path, $"not a UTF-8 text list file ({ex.Message}).", ex);
        }
        catch (Exception ex) when (ex is IOException and not DatasetFileException or UnauthorizedAccessException)
        {
            throw new DatasetFileException(path, $"cannot read the list file ({ex.Message}).", ex);
        }

        return entries;
    }

    /// <summary>Lists files under a directory matching a pattern, sorted ordinally by relative path.</summary>
    /// <param name="directory">The directory.</param>
    /// <param name="pattern">The search pattern.</param>
    /// <param name="recursive">Whether to search sub-directories.</param>
    /// <returns>The full paths, or none when the directory does not exist.</returns>
    protected static IReadOnlyList<string> ListFiles(string directory, string pattern, bool recursive = false) =>
        Directory.Exists(directory)
            ? [.. Directory.EnumerateFiles(directory, pattern, recursive ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly).Order(StringComparer.Ordinal)]
            : [];
}
