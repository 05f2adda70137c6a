using DiGA.Core.Labels;

namespace DiGA.Core.Data;

/// <summary>One decoded segmentation sample held in managed memory: RGB pixels and optional train-id labels.</summary>
/// <remarks>
/// <see cref="Image"/> is interleaved RGB, row-major, <c>[Height, Width, 3]</c> bytes. <see cref="Label"/> is row-major
/// <c>[Height, Width]</c> train ids where <see cref="LabelSpace.IgnoreIndex"/> (255) marks ignored pixels. The arrays are
/// owned by the sample and are not copied by the constructor.
/// </remarks>
public sealed class SegmentationSample
{
    /// <summary>Initialises a sample and checks the buffer sizes.</summary>
    /// <param name="id">An identifier of the sample (e.g. the file stem).</param>
    /// <param name="width">The width in pixels.</param>
    /// <param name="height">The height in pixels.</param>
    /// <param name="image">RGB bytes, <c>height · width · 3</c> long.</param>
    /// <param name="label">Train-id labels, <c>height · width</c> long, or <see langword="null"/> when unlabelled.</param>
    /// <exception cref="ArgumentException">A buffer has the wrong length.</exception>
    public SegmentationSample(string id, int width, int height, byte[] image, byte[]? label)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(image);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (image.Length != checked(width * height * 3))
        {
            throw new ArgumentException($"Sample '{id}': expected {width}×{height}×3 = {width * height * 3} image bytes, got {image.Length}.", nameof(image));
        }

        if (label is not null && label.Length != width * height)
        {
            throw new ArgumentException($"Sample '{id}': expected {width}×{height} = {width * height} label bytes, got {label.Length}.", nameof(label));
        }

        Id = id;
        Width = width;
        Height = height;
        Image = image;
        Label = label;
    }

    /// <summary>Gets the sample identifier.</summary>
    public string Id { get; }

    /// <summary>Gets the width in pixels.</summary>
    public int Width { get; }

    /// <summary>Gets the height in pixels.</summary>
    public int Height { get; }

    /// <summary>Gets the RGB pixels, <c>[Height, Width, 3]</c> row-major.</summary>
    public byte[] Image { get; }

    /// <summary>Gets the train-id labels, <c>[Height, Width]</c> row-major (255 = ignore), or <see langword="null"/> when unlabelled.</summary>
    public byte[]? Label { get; }
}
