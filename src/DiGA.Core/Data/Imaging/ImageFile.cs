using System.Collections.Concurrent;
using DiGA.Core.Data.Datasets;
using DiGA.Core.Foundation;
using DiGA.Core.Labels;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Pbm;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Tga;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.Memory;
using SixLabors.ImageSharp.Metadata;
using SixLabors.ImageSharp.PixelFormats;

namespace DiGA.Core.Data.Imaging;

/// <summary>Reads and writes the image and label files of segmentation datasets.</summary>
/// <remarks>
/// RGB images (PNG, JPEG, BMP, …) are decoded with ImageSharp. Label PNGs are decoded exactly: the palette index of a
/// palette PNG is the label value (not its colour), 16-bit PNGs keep 16 bits, and for colour PNGs channel 0 is the value
/// (SYNTHIA). Every failure throws a <see cref="DatasetFileException"/> naming the file and saying what is wrong (truncated,
/// bad CRC, bad deflate stream, unsupported format, empty or too large). The size in the header is checked against a pixel
/// limit before anything is allocated. Writes are atomic: the file is written next to the target under a temporary name
/// and moved over the target, so a killed process never leaves a torn image (images are bulk, regenerable outputs and are
/// not flushed to the disk). Thread-safe.
/// </remarks>
public static class ImageFile
{
    private static readonly ConcurrentDictionary<int, Configuration> Configurations = new();

    /// <summary>Reads an RGB image of at most <see cref="SegmentationDatasetOptions.DefaultMaxImagePixels"/> pixels.</summary>
    /// <param name="path">The image file.</param>
    /// <returns>The decoded image (alpha dropped, grey expanded to RGB).</returns>
    /// <exception cref="DatasetFileException">The file is missing, unreadable, not a decodable image, or too large.</exception>
    public static RgbImage ReadRgb(string path) => ReadRgb(path, SegmentationDatasetOptions.DefaultMaxImagePixels);

    /// <summary>Reads an RGB image, refusing images of more than <paramref name="maxPixels"/> pixels before decoding them.</summary>
    /// <param name="path">The image file.</param>
    /// <param name="maxPixels">The largest width × height accepted.</param>
    /// <returns>The decoded image (alpha dropped, grey expanded to RGB).</returns>
    /// <exception cref="DatasetFileException">The file is missing, unreadable, not a decodable image, or too large.</exception>
    public static RgbImage ReadRgb(string path, int maxPixels)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxPixels);
        return DecodeRgb(ReadAll(path), path, maxPixels);
    }

    /// <summary>Reads an RGB image of at most <see cref="SegmentationDatasetOptions.DefaultMaxImagePixels"/> pixels from a stream.</summary>
    /// <param name="stream">The encoded image (read to the end, not disposed).</param>
    /// <param name="sourceName">A name for error messages (e.g. the file name).</param>
    /// <returns>The decoded image.</returns>
    /// <exception cref="DatasetFileException">The data is not a decodable image, or is too large.</exception>
    public static RgbImage ReadRgb(Stream stream, string sourceName) => ReadRgb(stream, sourceName, SegmentationDatasetOptions.DefaultMaxImagePixels);

    /// <summary>Reads an RGB image from a stream, refusing images of more than <paramref name="maxPixels"/> pixels before decoding them.</summary>
    /// <param name="stream">The encoded image (read to the end, not disposed).</param>
    /// <param name="sourceName">A name for error messages (e.g. the file name).</param>
    /// <param name="maxPixels">The largest width × height accepted.</param>
    /// <returns>The decoded image.</returns>
    /// <exception cref="DatasetFileException">The data is not a decodable image, or is too large.</exception>
    public static RgbImage ReadRgb(Stream stream, string sourceName, int maxPixels)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(sourceName);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxPixels);
        return DecodeRgb(ReadStream(stream), sourceName, maxPixels);
    }

    /// <summary>Reads a label map of at most <see cref="SegmentationDatasetOptions.DefaultMaxImagePixels"/> pixels from a PNG stream (see <see cref="ReadLabel(string)"/>).</summary>
    /// <param name="stream">The PNG data (read to the end, not disposed).</param>
    /// <param name="sourceName">A name for error messages (e.g. the file name).</param>
    /// <returns>The raw label values.</returns>
    /// <exception cref="DatasetFileException">The data is not a valid PNG, or is too large.</exception>
    public static LabelImage ReadLabel(Stream stream, string sourceName) => ReadLabel(stream, sourceName, SegmentationDatasetOptions.DefaultMaxImagePixels);

    /// <summary>Reads a label map from a PNG stream (see <see cref="ReadLabel(string)"/>), refusing labels of more than <paramref name="maxPixels"/> pixels before decoding them.</summary>
    /// <param name="stream">The PNG data (read to the end, not disposed).</param>
    /// <param name="sourceName">A name for error messages (e.g. the file name).</param>
    /// <param name="maxPixels">The largest width × height accepted.</param>
    /// <returns>The raw label values.</returns>
    /// <exception cref="DatasetFileException">The data is not a valid PNG, or is too large.</exception>
    public static LabelImage ReadLabel(Stream stream, string sourceName, int maxPixels)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(sourceName);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxPixels);
        return DecodeLabel(ReadStream(stream), sourceName, maxPixels);
    }

    private static byte[] ReadStream(Stream stream)
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }

    private static RgbImage DecodeRgb(byte[] bytes, string path, int maxPixels)
    {
        try
        {
            var configuration = DecoderConfiguration(maxPixels);
            var info = Image.Identify(configuration, bytes, out var format)
                ?? throw new DatasetFileException(path, "cannot decode the image (not a PNG, JPEG or other supported image format).");
            CheckSize(info.Width, info.Height, maxPixels, path);
            if (format is PngFormat && (bytes.Length <= 28 || bytes[28] != 0 || !bytes.AsSpan(12, 4).SequenceEqual("IHDR"u8)))
            {
                // ImageSharp 2.1 never returns from an Adam7 PNG whose image data is shorter than its header implies (it loops
                // on the missing rows), so the chunks and the inflated size of interlaced (or oddly laid out) PNGs are checked
                // first. Interlaced images are rare in datasets; plain ones skip this second inflate.
                CheckPng(bytes, maxPixels, path);
            }

            using var image = Image.Load<Rgb24>(configuration, bytes);
            CheckSize(image.Width, image.Height, maxPixels, path);
            var pixels = new byte[(long)image.Width * image.Height * 3];
            image.CopyPixelDataTo(pixels);
            return new RgbImage(image.Width, image.Height, pixels);
        }
        catch (Exception ex) when (ex is not (DatasetFileException or OutOfMemoryException))
        {
            // ImageSharp reports malformed input with many exception types, its own ImageFormatException family but also
            // InvalidDataException (deflate), EndOfStreamException and, for some corrupt segment lengths, ArgumentOutOfRange
            // or NullReference exceptions: whatever the decoder throws on a file's bytes means the file cannot be decoded.
            throw new DatasetFileException(path, $"cannot decode the image ({Describe(ex)}).", ex);
        }
    }

    /// <summary>Reads a label map of at most <see cref="SegmentationDatasetOptions.DefaultMaxImagePixels"/> pixels: grey (8/16-bit) or palette PNGs give their stored value, colour PNGs give channel 0.</summary>
    /// <param name="path">The PNG label file.</param>
    /// <returns>The raw label values.</returns>
    /// <exception cref="DatasetFileException">The file is missing, unreadable, not a valid PNG, or too large.</exception>
    public static LabelImage ReadLabel(string path) => ReadLabel(path, SegmentationDatasetOptions.DefaultMaxImagePixels);

    /// <summary>Reads a label map (see <see cref="ReadLabel(string)"/>), refusing labels of more than <paramref name="maxPixels"/> pixels before decoding them.</summary>
    /// <param name="path">The PNG label file.</param>
    /// <param name="maxPixels">The largest width × height accepted.</param>
    /// <returns>The raw label values.</returns>
    /// <exception cref="DatasetFileException">The file is missing, unreadable, not a valid PNG, or too large.</exception>
    public static LabelImage ReadLabel(string path, int maxPixels)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxPixels);
        return DecodeLabel(ReadAll(path), path, maxPixels);
    }

    private static LabelImage DecodeLabel(byte[] bytes, string path, int maxPixels)
    {
        PngImage png;
        try
        {
            png = PngCodec.Decode(bytes, maxPixels);
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

    private static void CheckPng(byte[] bytes, int maxPixels, string path)
    {
        try
        {
            PngCodec.CheckImageData(bytes, maxPixels);
        }
        catch (InvalidDataException ex)
        {
            throw new DatasetFileException(path, $"cannot decode the image: {ex.Message}", ex);
        }
    }

    private static void CheckSize(int width, int height, int maxPixels, string path)
    {
        if (width <= 0 || height <= 0)
        {
            throw new DatasetFileException(path, $"cannot decode the image (its header gives an empty size {width}×{height}).");
        }

        if ((long)width * height > maxPixels)
        {
            throw new DatasetFileException(path, $"the image is {width}×{height} = {(long)width * height} pixels, larger than the limit of {maxPixels} pixels (MaxImagePixels).");
        }
    }

    /// <summary>
    /// A configuration whose allocator refuses any single buffer larger than 8 bytes per allowed pixel (decoders need at most
    /// 4: the Rgb24 image, 16-bit rows, JPEG component blocks), so a header that lies cannot make ImageSharp allocate more;
    /// animated GIF and multi-page TIFF files decode their first frame only. Cached per limit in megabytes.
    /// </summary>
    private static Configuration DecoderConfiguration(int maxPixels) =>
        Configurations.GetOrAdd((int)Math.Max(1, ((8L * maxPixels) + (1 << 20) - 1) >> 20), static megabytes =>
        {
            // A new configuration, not Configuration.Default.Clone(): a clone shares the process-wide format manager.
            var configuration = new Configuration(
                new PngConfigurationModule(),
                new JpegConfigurationModule(),
                new GifConfigurationModule(),
                new BmpConfigurationModule(),
                new PbmConfigurationModule(),
                new TgaConfigurationModule(),
                new TiffConfigurationModule(),
                new WebpConfigurationModule());
            configuration.MemoryAllocator = MemoryAllocator.Create(new MemoryAllocatorOptions { AllocationLimitMegabytes = megabytes });
            configuration.ImageFormatsManager.SetDecoder(GifFormat.Instance, new GifDecoder { DecodingMode = FrameDecodingMode.First });
            configuration.ImageFormatsManager.SetDecoder(TiffFormat.Instance, new TiffDecoder { DecodingMode = FrameDecodingMode.First });
            return configuration;
        });

    private static string Describe(Exception ex) => ex switch
    {
        ImageFormatException or NotSupportedException => ex.Message,
        InvalidDataException => $"bad deflate stream: {ex.Message}",
        InvalidMemoryOperationException => $"its header asks for more memory than the pixel limit allows: {ex.Message}",
        EndOfStreamException => "truncated file",
        _ => $"malformed image data: {ex.GetType().Name}: {ex.Message}",
    };

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
