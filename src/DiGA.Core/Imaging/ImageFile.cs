using DiGA.Core.Data;
using DiGA.Core.IO;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;

namespace DiGA.Core.Imaging;

/// <summary>Reads and writes the image and label files of segmentation datasets.</summary>
/// <remarks>
/// RGB images (PNG, JPEG, BMP, …) are decoded with ImageSharp. Label PNGs are decoded exactly: the palette index of a
/// palette PNG is the label value (not its colour), 16-bit PNGs keep 16 bits, and for colour PNGs channel 0 is the value
/// (SYNTHIA). Every failure throws a <see cref="DatasetFileException"/> naming the file. Writes are atomic: the file is
/// written next to the target under a temporary name and moved over the target, so a killed process never leaves a torn image (they are not flushed to the disk: images are bulk, regenerable outputs). Thread-safe.
/// </remarks>
public static class ImageFile
{
    /// <summary>Reads an RGB image.</summary>
    /// <param name="path">The image file.</param>
    /// <returns>The decoded image (alpha dropped, grey expanded to RGB).</returns>
    /// <exception cref="DatasetFileException">The file is missing, unreadable or not a decodable image.</exception>
    public static RgbImage ReadRgb(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return DecodeRgb(ReadAll(path), path);
    }

    /// <summary>Reads an RGB image from a stream.</summary>
    /// <param name="stream">The encoded image (read to the end, not disposed).</param>
    /// <param name="sourceName">A name for error messages (e.g. the file name).</param>
    /// <returns>The decoded image.</returns>
    /// <exception cref="DatasetFileException">The data is not a decodable image.</exception>
    public static RgbImage ReadRgb(Stream stream, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(sourceName);
        return DecodeRgb(ReadStream(stream), sourceName);
    }

    /// <summary>Reads a label map from a PNG stream (see <see cref="ReadLabel(string)"/>).</summary>
    /// <param name="stream">The PNG data (read to the end, not disposed).</param>
    /// <param name="sourceName">A name for error messages (e.g. the file name).</param>
    /// <returns>The raw label values.</returns>
    /// <exception cref="DatasetFileException">The data is not a valid PNG.</exception>
    public static LabelImage ReadLabel(Stream stream, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(sourceName);
        return DecodeLabel(ReadStream(stream), sourceName);
    }

    private static byte[] ReadStream(Stream stream)
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }

    private static RgbImage DecodeRgb(byte[] bytes, string path)
    {
        try
        {
            using var image = Image.Load<Rgb24>(bytes);
            var pixels = new byte[checked(image.Width * image.Height * 3)];
            image.CopyPixelDataTo(pixels);
            return new RgbImage(image.Width, image.Height, pixels);
        }
        catch (Exception ex) when (ex is UnknownImageFormatException or InvalidImageContentException or ImageFormatException or NotSupportedException)
        {
            throw new DatasetFileException(path, $"cannot decode the image ({ex.Message}).", ex);
        }
    }

    /// <summary>Reads a label map: grey (8/16-bit) or palette PNGs give their stored value, colour PNGs give channel 0.</summary>
    /// <param name="path">The PNG label file.</param>
    /// <returns>The raw label values.</returns>
    /// <exception cref="DatasetFileException">The file is missing, unreadable or not a valid PNG.</exception>
    public static LabelImage ReadLabel(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return DecodeLabel(ReadAll(path), path);
    }

    private static LabelImage DecodeLabel(byte[] bytes, string path)
    {
        PngImage png;
        try
        {
            png = PngCodec.Decode(bytes);
        }
        catch (InvalidDataException ex)
        {
            throw new DatasetFileException(path, $"cannot decode the label PNG: {ex.Message}", ex);
        }

        ushort[] values;
        if (png.Channels == 1)
        {
            values = png.Samples;
        }
        else
        {
            values = new ushort[png.Width * png.Height];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = png.Samples[i * png.Channels];
            }
        }

        return new LabelImage(png.Width, png.Height, png.BitDepth, values);
    }

    /// <summary>Writes an RGB image as PNG (lossless) or JPEG (by the extension <c>.jpg</c>/<c>.jpeg</c>, quality 95).</summary>
    /// <param name="path">The output file; its directory is created if needed.</param>
    /// <param name="image">The image.</param>
    public static void WriteRgb(string path, RgbImage image)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(image);
        CheckLength(image.Pixels.Length, image.Width, image.Height, 3, nameof(image));
        var extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension is ".jpg" or ".jpeg")
        {
            using var jpeg = Image.LoadPixelData<Rgb24>(image.Pixels, image.Width, image.Height);
            AtomicFile.Write(path, stream => jpeg.Save(stream, new JpegEncoder { Quality = 95 }), WriteDurability.AtomicOnly);
            return;
        }

        using var file = AtomicFile.Begin(path, WriteDurability.AtomicOnly);
        PngCodec.Encode(file.Stream, image.Width, image.Height, PngCodec.Rgb, image.Pixels);
        file.Commit();
    }

    /// <summary>Writes an 8-bit greyscale label PNG (e.g. pseudo-labels or train ids).</summary>
    /// <param name="path">The output file; its directory is created if needed.</param>
    /// <param name="width">The width.</param>
    /// <param name="height">The height.</param>
    /// <param name="labels">Row-major <c>[height, width]</c> values.</param>
    public static void WriteLabel(string path, int width, int height, ReadOnlySpan<byte> labels)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        CheckLength(labels.Length, width, height, 1, nameof(labels));
        using var file = AtomicFile.Begin(path, WriteDurability.AtomicOnly);
        PngCodec.Encode(file.Stream, width, height, PngCodec.Grayscale, labels);
        file.Commit();
    }

    /// <summary>Writes an 8-bit palette PNG whose pixel indices are the label values (the GTA5 label format).</summary>
    /// <param name="path">The output file; its directory is created if needed.</param>
    /// <param name="width">The width.</param>
    /// <param name="height">The height.</param>
    /// <param name="labels">Row-major <c>[height, width]</c> palette indices.</param>
    /// <param name="palette">Up to 256 colours; every index used must have an entry.</param>
    /// <exception cref="ArgumentException">A label value has no palette entry.</exception>
    public static void WritePaletteLabel(string path, int width, int height, ReadOnlySpan<byte> labels, IReadOnlyList<LabelColor> palette)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(palette);
        CheckLength(labels.Length, width, height, 1, nameof(labels));
        if (palette.Count is 0 or > 256)
        {
            throw new ArgumentException($"A PNG palette holds 1 to 256 colours, got {palette.Count}.", nameof(palette));
        }

        foreach (var value in labels)
        {
            if (value >= palette.Count)
            {
                throw new ArgumentException($"Label value {value} has no entry in the {palette.Count}-colour palette.", nameof(labels));
            }
        }

        using var file = AtomicFile.Begin(path, WriteDurability.AtomicOnly);
        PngCodec.Encode(file.Stream, width, height, PngCodec.Indexed, labels, [.. palette]);
        file.Commit();
    }

    internal static void WriteLabel16(string path, int width, int height, int colorType, ReadOnlySpan<ushort> samples)
    {
        using var file = AtomicFile.Begin(path, WriteDurability.AtomicOnly);
        PngCodec.Encode16(file.Stream, width, height, colorType, samples);
        file.Commit();
    }

    private static byte[] ReadAll(string path)
    {
        if (!File.Exists(path))
        {
            throw new DatasetFileException(path, "file not found.");
        }

        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DatasetFileException(path, $"cannot read the file ({ex.Message}).", ex);
        }
    }

    private static void CheckLength(int length, int width, int height, int channels, string name)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (length != width * height * channels)
        {
            throw new ArgumentException($"Expected {width}×{height}×{channels} = {width * height * channels} values, got {length}.", name);
        }
    }
}
