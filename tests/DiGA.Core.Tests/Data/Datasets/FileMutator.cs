using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using DiGA.Core.Data.Imaging;

namespace DiGA.Core.Tests.Data.Datasets;

/// <summary>Seeded mutations of PNG and JPEG files: truncations, bit flips, header fields, chunk/segment lengths and compressed data.</summary>
internal static class FileMutator
{
    /// <summary>The IHDR sizes every PNG is also tried with: empty, huge, beyond the array limit, negative, and just over a small limit.</summary>
    public static readonly (uint Width, uint Height)[] HeaderSizes =
    [
        (0, 0), (0, 16), (16, 0), (65535, 65535), (100000, 100000), (int.MaxValue, 1), (1, int.MaxValue),
        (0x80000000, 1), (uint.MaxValue, uint.MaxValue), (4096, 4096), (1024, 1024), (129, 128), (17, 16), (1, 1),
    ];

    /// <summary>A random mutation of a PNG.</summary>
    /// <returns>The mutated bytes and what was done.</returns>
    public static (byte[] Bytes, string What) MutatePng(byte[] png, Random random)
    {
        var bytes = (byte[])png.Clone();
        var chunks = Chunks(bytes);
        switch (random.Next(9))
        {
            case 0:
                var cut = random.Next(bytes.Length);
                return (bytes[..cut], $"truncated at {cut}");
            case 1:
                return (FlipBits(bytes, random, 8), "bit flips");
            case 2:
                return (RepairCrcs(FlipBits(bytes, random, 8)), "bit flips, CRCs repaired");
            case 3:
                var (width, height) = HeaderSizes[random.Next(HeaderSizes.Length)];
                return (SetHeaderSize(bytes, width, height), $"IHDR {width}×{height}");
            case 4:
                int[] fields = [8, 9, 10, 11, 12];
                byte[] values = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 15, 16, 17, 32, 64, 128, 255];
                var field = fields[random.Next(fields.Length)];
                var value = values[random.Next(values.Length)];
                bytes[16 + field] = value;
                return (RepairCrcs(bytes), $"IHDR byte {field} = {value}");
            case 5:
                var chunk = chunks[random.Next(chunks.Count)];
                uint[] lengths = [0, 1, 12, 13, (uint)chunk.Length - 1, (uint)chunk.Length + 1, (uint)chunk.Length * 2, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, (uint)random.Next()];
                var length = lengths[random.Next(lengths.Length)];
                BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(chunk.Offset), length);
                return (bytes, $"{chunk.Type} length {length}");
            case 6:
                var idat = chunks.FirstOrDefault(c => c.Type == "IDAT");
                if (idat.Length < 3)
                {
                    return (FlipBits(bytes, random, 1), "bit flip");
                }

                var at = idat.Offset + 8 + random.Next(idat.Length);
                bytes[at] = (byte)random.Next(256);
                return (RepairCrcs(bytes), $"deflate byte {at - idat.Offset - 8} = {bytes[at]}");
            case 7:
                var zlib = chunks.FirstOrDefault(c => c.Type == "IDAT");
                byte[] cmf = [0x00, 0x07, 0x79, 0x88, 0x8F, 0xF8, 0x78];
                var header = cmf[random.Next(cmf.Length)];
                bytes[zlib.Offset + 8] = header;
                return (RepairCrcs(bytes), $"zlib CMF 0x{header:X2}");
            default:
                return (RepairCrcs(SetHeaderSize(bytes, (uint)random.Next(1, 80), (uint)random.Next(1, 80))), "IHDR random small size");
        }
    }

    /// <summary>A random mutation of a JPEG.</summary>
    /// <returns>The mutated bytes and what was done.</returns>
    public static (byte[] Bytes, string What) MutateJpeg(byte[] jpeg, Random random)
    {
        var bytes = (byte[])jpeg.Clone();
        var segments = Segments(bytes);
        var frame = segments.First(s => s.Marker is 0xC0 or 0xC1 or 0xC2);
        switch (random.Next(7))
        {
            case 0:
                var cut = random.Next(bytes.Length);
                return (bytes[..cut], $"truncated at {cut}");
            case 1:
                return (FlipBits(bytes, random, random.Next(1, 9)), "bit flips");
            case 2:
                ushort[] sizes = [0, 1, 8, 4096, 65535];
                var width = sizes[random.Next(sizes.Length)];
                var height = sizes[random.Next(sizes.Length)];
                BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(frame.Offset + 5), height);
                BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(frame.Offset + 7), width);
                return (bytes, $"SOF {width}×{height}");
            case 3:
                int[] fields = [4, 9, 11, 12, 13];
                var field = fields[random.Next(fields.Length)];
                byte[] values = [0, 1, 2, 4, 5, 12, 16, 0x44, 0xFF];
                bytes[frame.Offset + field] = values[random.Next(values.Length)];
                return (bytes, $"SOF byte {field} = {bytes[frame.Offset + field]}");
            case 4:
                var segment = segments[random.Next(segments.Count)];
                ushort[] lengths = [0, 1, 2, (ushort)(segment.Length - 1), (ushort)(segment.Length + 1), 0xFFFF];
                var length = lengths[random.Next(lengths.Length)];
                BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(segment.Offset + 2), length);
                return (bytes, $"segment FF{segment.Marker:X2} length {length}");
            case 5:
                var scan = segments.Last();
                var at = random.Next(scan.Offset + 4, bytes.Length - 2);
                bytes[at] = (byte)random.Next(256);
                return (bytes, $"scan byte {at} = {bytes[at]}");
            default:
                var table = segments[random.Next(segments.Count)];
                var position = table.Offset + 4 + random.Next(Math.Max(1, table.Length - 2));
                bytes[Math.Min(position, bytes.Length - 1)] ^= (byte)(1 << random.Next(8));
                return (bytes, $"segment FF{table.Marker:X2} bit flip");
        }
    }

    /// <summary>Sets the IHDR width and height and repairs the IHDR CRC.</summary>
    public static byte[] SetHeaderSize(byte[] png, uint width, uint height)
    {
        var bytes = (byte[])png.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(16), width);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(20), height);
        return RepairCrcs(bytes);
    }

    /// <summary>Replaces the image data with one zlib stream of <paramref name="raw"/> (valid CRCs).</summary>
    public static byte[] ReplaceImageData(byte[] png, byte[] raw)
    {
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            zlib.Write(raw);
        }

        var chunks = Chunks(png);
        var first = chunks.First(c => c.Type == "IDAT");
        var last = chunks.Last(c => c.Type == "IDAT");
        using var output = new MemoryStream();
        output.Write(png, 0, first.Offset);
        var data = compressed.ToArray();
        var chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(chunk, data.Length);
        Encoding.ASCII.GetBytes("IDAT", chunk.AsSpan(4));
        data.CopyTo(chunk, 8);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), PngCodec.Crc(chunk.AsSpan(4, 4 + data.Length)));
        output.Write(chunk);
        var end = last.Offset + 12 + last.Length;
        output.Write(png, end, png.Length - end);
        return output.ToArray();
    }

    /// <summary>Recomputes the CRC of every chunk that can still be walked.</summary>
    public static byte[] RepairCrcs(byte[] bytes)
    {
        foreach (var chunk in Chunks(bytes))
        {
            var crc = PngCodec.Crc(bytes.AsSpan(chunk.Offset + 4, 4 + chunk.Length));
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(chunk.Offset + 8 + chunk.Length), crc);
        }

        return bytes;
    }

    private static byte[] FlipBits(byte[] bytes, Random random, int count)
    {
        for (var i = 0; i < count; i++)
        {
            bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
        }

        return bytes;
    }

    private static List<(int Offset, int Length, string Type)> Chunks(byte[] bytes)
    {
        var chunks = new List<(int, int, string)>();
        var position = 8;
        while (position + 12 <= bytes.Length)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(position));
            if (length < 0 || position + 12L + length > bytes.Length)
            {
                break;
            }

            chunks.Add((position, length, Encoding.ASCII.GetString(bytes, position + 4, 4)));
            position += 12 + length;
        }

        return chunks;
    }

    private static List<(int Offset, int Length, byte Marker)> Segments(byte[] bytes)
    {
        var segments = new List<(int, int, byte)>();
        var position = 2;
        while (position + 4 <= bytes.Length && bytes[position] == 0xFF)
        {
            var marker = bytes[position + 1];
            var length = BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(position + 2));
            segments.Add((position, length, marker));
            if (marker == 0xDA)
            {
                break;
            }

            position += 2 + length;
        }

        return segments;
    }
}
