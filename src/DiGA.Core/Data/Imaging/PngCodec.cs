using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using DiGA.Core.Labels;

namespace DiGA.Core.Data.Imaging;

/// <summary>A decoded PNG: raw samples exactly as stored (palette indices stay indices, 16-bit stays 16-bit).</summary>
internal sealed record PngImage(int Width, int Height, int BitDepth, int ColorType, int Channels, ushort[] Samples, byte[]? Palette);

/// <summary>
/// A small, exact PNG codec for label maps: decodes every standard colour type and bit depth (1–16 bits, palette, grey,
/// RGB, with or without alpha, Adam7 interlacing) to raw sample values, and encodes 8/16-bit grey, RGB and palette PNGs.
/// </summary>
/// <remarks>
/// General-purpose decoders convert palette images to colours and often reduce 16-bit images to 8 bits; label files
/// need the stored values, so they are parsed here (IHDR/PLTE/IDAT, zlib through <see cref="ZLibStream"/>, the five
/// scanline filters, CRC checks).
/// </remarks>
internal static class PngCodec
{
    internal const int Grayscale = 0;
    internal const int Rgb = 2;
    internal const int Indexed = 3;
    internal const int GrayscaleAlpha = 4;
    internal const int Rgba = 6;

    private static ReadOnlySpan<byte> Signature => [137, 80, 78, 71, 13, 10, 26, 10];

    private static readonly uint[] CrcTable = BuildCrcTable();

    private static readonly (int X0, int Y0, int Dx, int Dy)[] Adam7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)];

    /// <summary>Decodes a PNG; throws <see cref="InvalidDataException"/> saying what is wrong.</summary>
    /// <param name="data">The file contents.</param>
    /// <param name="maxPixels">The largest width × height accepted, checked against the IHDR chunk before anything is allocated.</param>
    /// <remarks>
    /// Memory is bounded by the header: the image data is inflated into a buffer of exactly the size the header implies
    /// (scanlines and their filter bytes), and a stream that inflates to more than that is rejected without being read further.
    /// </remarks>
    public static PngImage Decode(ReadOnlySpan<byte> data, long maxPixels)
    {
        using var idat = new MemoryStream();
        var (width, height, bitDepth, colorType, interlace, palette) = ReadChunks(data, maxPixels, idat);
        var channels = ChannelsOf(colorType);
        var raw = Inflate(idat, RawSize(width, height, channels * bitDepth, interlace));
        var samples = new ushort[(long)width * height * channels];
        var offset = 0;
        if (interlace == 0)
        {
            Unpack(raw, ref offset, samples, width, height, channels, bitDepth, 0, 0, 1, 1, width);
        }
        else
        {
            foreach (var (x0, y0, dx, dy) in Adam7)
            {
                var passWidth = (width - x0 + dx - 1) / dx;
                var passHeight = (height - y0 + dy - 1) / dy;
                if (passWidth > 0 && passHeight > 0)
                {
                    Unpack(raw, ref offset, samples, passWidth, passHeight, channels, bitDepth, x0, y0, dx, dy, width);
                }
            }
        }

        if (colorType == Indexed)
        {
            var entries = palette!.Length / 3;
            foreach (var index in samples)
            {
                if (index >= entries)
                {
                    throw new InvalidDataException($"corrupt PNG (palette index {index} beyond the {entries}-entry palette).");
                }
            }
        }

        return new PngImage(width, height, bitDepth, colorType, channels, samples, palette);
    }

    /// <summary>Checks a PNG's chunks and that its image data inflates to exactly the size its header implies, without decoding pixels.</summary>
    /// <param name="data">The file contents.</param>
    /// <param name="maxPixels">The largest width × height accepted.</param>
    /// <exception cref="InvalidDataException">What is wrong, as <see cref="Decode"/> would report it.</exception>
    public static void CheckImageData(ReadOnlySpan<byte> data, long maxPixels)
    {
        using var idat = new MemoryStream();
        var (width, height, bitDepth, colorType, interlace, _) = ReadChunks(data, maxPixels, idat);
        var expected = RawSize(width, height, ChannelsOf(colorType) * bitDepth, interlace);
        var buffer = new byte[(int)Math.Min(expected + 1, 1 << 16)];
        long total = 0;
        try
        {
            idat.Position = 0;
            using var zlib = new ZLibStream(idat, CompressionMode.Decompress);
            for (var read = zlib.Read(buffer); read > 0 && total <= expected; read = zlib.Read(buffer))
            {
                total += read;
            }
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"corrupt PNG (bad deflate stream in the image data: {ex.Message})", ex);
        }

        CheckInflatedSize(total, expected);
    }

    /// <summary>Walks the chunks (CRCs, IHDR first and valid, PLTE, IEND), collecting the IDAT data into <paramref name="idat"/>.</summary>
    private static (int Width, int Height, int BitDepth, int ColorType, int Interlace, byte[]? Palette) ReadChunks(ReadOnlySpan<byte> data, long maxPixels, MemoryStream idat)
    {
        if (data.Length < 8 || !data[..8].SequenceEqual(Signature))
        {
            throw new InvalidDataException("not a PNG file (bad signature).");
        }

        int width = 0, height = 0, bitDepth = 0, colorType = -1, interlace = 0;
        byte[]? palette = null;
        var position = 8;
        var sawEnd = false;
        while (!sawEnd)
        {
            if (position + 12 > data.Length)
            {
                throw new InvalidDataException($"truncated PNG (the file ends after {data.Length} bytes, before the IEND chunk).");
            }

            var length = BinaryPrimitives.ReadUInt32BigEndian(data[position..]);
            if (length > int.MaxValue)
            {
                throw new InvalidDataException($"corrupt PNG (invalid chunk length {length} at byte {position}).");
            }

            if (position + 12L + length > data.Length)
            {
                throw new InvalidDataException($"truncated PNG (a chunk at byte {position} claims {length} bytes; the file ends after {data.Length}).");
            }

            var typeAndData = data.Slice(position + 4, 4 + (int)length);
            var type = Encoding.ASCII.GetString(typeAndData[..4]);
            var body = typeAndData[4..];
            var crc = BinaryPrimitives.ReadUInt32BigEndian(data[(position + 8 + (int)length)..]);
            if (Crc(typeAndData) != crc)
            {
                throw new InvalidDataException($"corrupt PNG (bad CRC in chunk {type}).");
            }

            if ((position == 8) != (type == "IHDR"))
            {
                throw new InvalidDataException(position == 8 ? $"corrupt PNG (first chunk is {type}, not IHDR)." : "corrupt PNG (more than one IHDR chunk).");
            }

            switch (type)
            {
                case "IHDR":
                    if (length != 13)
                    {
                        throw new InvalidDataException($"corrupt PNG (IHDR chunk of {length} bytes instead of 13).");
                    }

                    (width, height, bitDepth, colorType, interlace) = ReadHeader(body, maxPixels);
                    break;
                case "PLTE":
                    if (colorType == Indexed && (length == 0 || length > 768 || length % 3 != 0))
                    {
                        throw new InvalidDataException($"corrupt PNG (PLTE chunk of {length} bytes; a palette has 1 to 256 RGB entries).");
                    }

                    palette = body.ToArray();
                    break;
                case "IDAT":
                    idat.Write(body);
                    break;
                case "IEND":
                    sawEnd = true;
                    break;
            }

            position += 12 + (int)length;
        }

        if (colorType == Indexed && palette is null)
        {
            throw new InvalidDataException("corrupt PNG (palette image without PLTE chunk).");
        }

        if (idat.Length == 0)
        {
            throw new InvalidDataException("corrupt PNG (no IDAT image data).");
        }

        return (width, height, bitDepth, colorType, interlace, palette);
    }

    /// <summary>Validates the IHDR fields, the pixel count included, before anything is allocated.</summary>
    private static (int Width, int Height, int BitDepth, int ColorType, int Interlace) ReadHeader(ReadOnlySpan<byte> body, long maxPixels)
    {
        var width = BinaryPrimitives.ReadUInt32BigEndian(body);
        var height = BinaryPrimitives.ReadUInt32BigEndian(body[4..]);
        int bitDepth = body[8], colorType = body[9], interlace = body[12];
        if (width == 0 || height == 0)
        {
            throw new InvalidDataException($"invalid PNG size {width}×{height} (the image is empty).");
        }

        if (width > int.MaxValue || height > int.MaxValue)
        {
            throw new InvalidDataException($"invalid PNG size {width}×{height} (PNG sizes are below 2^31).");
        }

        if ((long)width * height > maxPixels)
        {
            throw new InvalidDataException($"the PNG is {width}×{height} = {(long)width * height} pixels, larger than the limit of {maxPixels} pixels (MaxImagePixels).");
        }

        var validDepth = colorType switch
        {
            Grayscale => bitDepth is 1 or 2 or 4 or 8 or 16,
            Indexed => bitDepth is 1 or 2 or 4 or 8,
            Rgb or GrayscaleAlpha or Rgba => bitDepth is 8 or 16,
            _ => throw new InvalidDataException($"unsupported PNG colour type {colorType} (valid: 0, 2, 3, 4, 6)."),
        };
        if (!validDepth)
        {
            throw new InvalidDataException($"unsupported PNG bit depth {bitDepth} for colour type {colorType}.");
        }

        if (body[10] != 0 || body[11] != 0 || interlace > 1)
        {
            throw new InvalidDataException($"unsupported PNG compression method {body[10]}, filter method {body[11]} or interlace method {interlace}.");
        }

        return ((int)width, (int)height, bitDepth, colorType, interlace);
    }

    /// <summary>The size of the filtered scanlines (one filter byte per row) the header implies, Adam7 passes included.</summary>
    private static long RawSize(int width, int height, int bitsPerPixel, int interlace)
    {
        if (interlace == 0)
        {
            return height * (1 + ((((long)width * bitsPerPixel) + 7) / 8));
        }

        long size = 0;
        foreach (var (x0, y0, dx, dy) in Adam7)
        {
            long passWidth = (width - x0 + dx - 1) / dx, passHeight = (height - y0 + dy - 1) / dy;
            if (passWidth > 0 && passHeight > 0)
            {
                size += passHeight * (1 + (((passWidth * bitsPerPixel) + 7) / 8));
            }
        }

        return size;
    }

    /// <summary>Inflates exactly <paramref name="expected"/> bytes; shorter or longer streams are errors, and nothing beyond them is read.</summary>
    private static byte[] Inflate(MemoryStream idat, long expected)
    {
        if (expected > Array.MaxLength)
        {
            throw new InvalidDataException($"the PNG image data would take {expected} bytes, more than one buffer can hold.");
        }

        var raw = new byte[expected];
        int read;
        bool longer;
        try
        {
            idat.Position = 0;
            using var zlib = new ZLibStream(idat, CompressionMode.Decompress);
            read = zlib.ReadAtLeast(raw, raw.Length, throwOnEndOfStream: false);
            longer = read == raw.Length && zlib.ReadByte() >= 0;
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"corrupt PNG (bad deflate stream in the image data: {ex.Message})", ex);
        }

        CheckInflatedSize(longer ? expected + 1 : read, expected);
        return raw;
    }

    private static void CheckInflatedSize(long inflated, long expected)
    {
        if (inflated < expected)
        {
            throw new InvalidDataException($"truncated PNG image data (inflates to {inflated} of the {expected} bytes the header implies).");
        }

        if (inflated > expected)
        {
            throw new InvalidDataException($"corrupt PNG (the image data inflates to more than the {expected} bytes the header implies).");
        }
    }

    /// <summary>Encodes 8-bit samples (grey, RGB, RGBA or palette indices).</summary>
    public static void Encode(Stream output, int width, int height, int colorType, ReadOnlySpan<byte> samples, ReadOnlySpan<LabelColor> palette = default)
    {
        var channels = ChannelsOf(colorType);
        if (samples.Length != width * height * channels)
        {
            throw new ArgumentException($"Expected {width * height * channels} samples, got {samples.Length}.", nameof(samples));
        }

        var stride = width * channels;
        var raw = new byte[(stride + 1) * height];
        for (var y = 0; y < height; y++)
        {
            raw[y * (stride + 1)] = 0;
            samples.Slice(y * stride, stride).CopyTo(raw.AsSpan((y * (stride + 1)) + 1));
        }

        WriteChunks(output, width, height, 8, colorType, raw, palette);
    }

    /// <summary>Encodes 16-bit samples (grey, RGB or RGBA).</summary>
    public static void Encode16(Stream output, int width, int height, int colorType, ReadOnlySpan<ushort> samples)
    {
        var channels = ChannelsOf(colorType);
        if (colorType == Indexed || samples.Length != width * height * channels)
        {
            throw new ArgumentException($"Expected {width * height * channels} samples of a non-palette colour type.", nameof(samples));
        }

        var stride = width * channels * 2;
        var raw = new byte[(stride + 1) * height];
        for (var y = 0; y < height; y++)
        {
            var row = raw.AsSpan((y * (stride + 1)) + 1, stride);
            for (var i = 0; i < width * channels; i++)
            {
                BinaryPrimitives.WriteUInt16BigEndian(row[(2 * i)..], samples[(y * width * channels) + i]);
            }
        }

        WriteChunks(output, width, height, 16, colorType, raw, default);
    }

    private static int ChannelsOf(int colorType) => colorType switch
    {
        Grayscale or Indexed => 1,
        GrayscaleAlpha => 2,
        Rgb => 3,
        Rgba => 4,
        _ => throw new ArgumentOutOfRangeException(nameof(colorType), colorType, "Unknown PNG colour type."),
    };

    private static void WriteChunks(Stream output, int width, int height, int bitDepth, int colorType, byte[] raw, ReadOnlySpan<LabelColor> palette)
    {
        output.Write(Signature);
        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], height);
        header[8] = (byte)bitDepth;
        header[9] = (byte)colorType;
        header[10] = header[11] = header[12] = 0;
        WriteChunk(output, "IHDR", header);
        if (colorType == Indexed)
        {
            var plte = new byte[palette.Length * 3];
            for (var i = 0; i < palette.Length; i++)
            {
                plte[3 * i] = palette[i].R;
                plte[(3 * i) + 1] = palette[i].G;
                plte[(3 * i) + 2] = palette[i].B;
            }

            WriteChunk(output, "PLTE", plte);
        }

        using (var compressed = new MemoryStream())
        {
            using (var zlib = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            {
                zlib.Write(raw);
            }

            WriteChunk(output, "IDAT", compressed.ToArray());
        }

        WriteChunk(output, "IEND", []);
    }

    private static void WriteChunk(Stream output, string type, ReadOnlySpan<byte> body)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, body.Length);
        output.Write(word);
        var typeAndBody = new byte[4 + body.Length];
        Encoding.ASCII.GetBytes(type, typeAndBody);
        body.CopyTo(typeAndBody.AsSpan(4));
        output.Write(typeAndBody);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc(typeAndBody));
        output.Write(word);
    }

    private static void Unpack(byte[] raw, ref int offset, ushort[] samples, int width, int height, int channels, int bitDepth, int x0, int y0, int dx, int dy, int fullWidth)
    {
        var bitsPerPixel = channels * bitDepth;
        var stride = ((width * bitsPerPixel) + 7) / 8;
        var bpp = Math.Max(1, bitsPerPixel / 8);
        var previous = new byte[stride];
        var current = new byte[stride];
        for (var y = 0; y < height; y++)
        {
            if (offset + 1 + stride > raw.Length)
            {
                throw new InvalidDataException("truncated PNG image data.");
            }

            var filter = raw[offset];
            Array.Copy(raw, offset + 1, current, 0, stride);
            offset += 1 + stride;
            Unfilter(filter, current, previous, bpp);
            var row = y0 + (y * dy);
            for (var x = 0; x < width; x++)
            {
                var col = x0 + (x * dx);
                var target = ((row * fullWidth) + col) * channels;
                for (var c = 0; c < channels; c++)
                {
                    var sampleIndex = (x * channels) + c;
                    samples[target + c] = bitDepth switch
                    {
                        16 => (ushort)((current[2 * sampleIndex] << 8) | current[(2 * sampleIndex) + 1]),
                        8 => current[sampleIndex],
                        _ => (ushort)((current[sampleIndex * bitDepth / 8] >> (8 - bitDepth - (sampleIndex * bitDepth % 8))) & ((1 << bitDepth) - 1)),
                    };
                }
            }

            (previous, current) = (current, previous);
        }
    }

    private static void Unfilter(byte filter, byte[] row, byte[] previous, int bpp)
    {
        switch (filter)
        {
            case 0:
                break;
            case 1:
                for (var i = bpp; i < row.Length; i++)
                {
                    row[i] += row[i - bpp];
                }

                break;
            case 2:
                for (var i = 0; i < row.Length; i++)
                {
                    row[i] += previous[i];
                }

                break;
            case 3:
                for (var i = 0; i < row.Length; i++)
                {
                    var left = i >= bpp ? row[i - bpp] : 0;
                    row[i] += (byte)((left + previous[i]) >> 1);
                }

                break;
            case 4:
                for (var i = 0; i < row.Length; i++)
                {
                    int a = i >= bpp ? row[i - bpp] : 0, b = previous[i], c = i >= bpp ? previous[i - bpp] : 0;
                    int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
                    row[i] += (byte)(pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
                }

                break;
            default:
                throw new InvalidDataException($"corrupt PNG (unknown scanline filter {filter}).");
        }
    }

    /// <summary>The CRC-32 of a PNG chunk (type and data).</summary>
    internal static uint Crc(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc ^ 0xFFFFFFFFu;
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
