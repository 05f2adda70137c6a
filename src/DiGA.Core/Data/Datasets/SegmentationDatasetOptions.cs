using System.ComponentModel.DataAnnotations;

namespace DiGA.Core.Data.Datasets;

/// <summary>Options shared by the file-based dataset readers.</summary>
public sealed class SegmentationDatasetOptions
{
    /// <summary>The default <see cref="MaxImagePixels"/>: 50 megapixels.</summary>
    /// <remarks>
    /// The largest images of the supported datasets are Mapillary Vistas photographs of about 12 megapixels (4000×3000 and
    /// a few larger); 50 megapixels leaves four times that while keeping one decoded image and label below ~2 GB.
    /// </remarks>
    public const int DefaultMaxImagePixels = 50_000_000;

    /// <summary>The largest accepted <see cref="MaxImagePixels"/>: 200 megapixels, so that every decoding buffer of a 16-bit RGBA PNG stays below 2 GB.</summary>
    public const int MaxImagePixelsLimit = 200_000_000;

    /// <summary>Gets or sets the dataset root directory (the folder that holds the reader's layout).</summary>
    /// <value>The default value is an empty string (must be set).</value>
    [Required]
    public string Root { get; set; } = string.Empty;

    /// <summary>Gets or sets the split folder (Cityscapes <c>train</c>/<c>val</c>, BDD100K <c>val</c>, Mapillary <c>validation</c>); <see langword="null"/> uses the reader's default.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? Split { get; set; }

    /// <summary>Gets or sets an optional list file with one relative image path or id per line (the reference list format); <see langword="null"/> lists the folder.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? ListFile { get; set; }

    /// <summary>Gets or sets a value indicating whether labels are read (false for unlabelled target training sets).</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool IncludeLabels { get; set; } = true;

    /// <summary>Gets or sets a value indicating whether Cityscapes readers use <c>*_gtFine_labelTrainIds.png</c> instead of <c>*_gtFine_labelIds.png</c>.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool UseTrainIdLabels { get; set; }

    /// <summary>Gets or sets the pre-resize height (image bicubic, label nearest), or 0 to keep the native size.</summary>
    /// <value>The default value is 0.</value>
    [Range(0, 65536)]
    public int ResizeHeight { get; set; }

    /// <summary>Gets or sets the pre-resize width (image bicubic, label nearest), or 0 to keep the native size.</summary>
    /// <value>The default value is 0.</value>
    [Range(0, 65536)]
    public int ResizeWidth { get; set; }

    /// <summary>Gets or sets the largest image or label (width × height) the reader decodes; larger files throw a <see cref="DatasetFileException"/>.</summary>
    /// <value>The default value is <see cref="DefaultMaxImagePixels"/> (50 megapixels).</value>
    /// <remarks>
    /// The size is checked against the file's header before anything is allocated, so a small corrupt file cannot make the
    /// reader allocate gigabytes. Raise it only for datasets whose images are larger than 50 megapixels.
    /// </remarks>
    [Range(1, MaxImagePixelsLimit)]
    public int MaxImagePixels { get; set; } = DefaultMaxImagePixels;

    /// <summary>Gets or sets what happens when a listed file is missing while the dataset is indexed.</summary>
    /// <value>The default value is <see cref="InvalidSamplePolicy.Throw"/>.</value>
    public InvalidSamplePolicy InvalidSamplePolicy { get; set; } = InvalidSamplePolicy.Throw;
}
