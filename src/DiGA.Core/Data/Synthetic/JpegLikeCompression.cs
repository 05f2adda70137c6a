namespace DiGA.Core.Data.Synthetic;

/// <summary>
/// Baseline-JPEG-like lossy compression of an RGB byte image, in place: YCbCr, 2×2 chroma subsampling, 8×8 DCT blocks
/// quantised with the standard tables scaled by a quality (the IJG formula), then decoded back to RGB.
/// </summary>
/// <remarks>No entropy coding (it is lossless); decoding upsamples chroma by replication. Deterministic and allocation-light.</remarks>
internal static class JpegLikeCompression
{
    private static readonly int[] LumaTable =
    [
        16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
        18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
    ];

    private static readonly int[] ChromaTable =
    [
        17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99,
        99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
    ];

    private static readonly float[] Basis = CreateBasis();

    /// <summary>Compresses and decompresses <paramref name="rgb"/> (height × width × 3 bytes) in place.</summary>
    public static void Apply(byte[] rgb, int height, int width, int quality)
    {
        quality = Math.Clamp(quality, 1, 100);
        var scale = quality < 50 ? 5000 / quality : 200 - (2 * quality);
        var luma = Table(LumaTable, scale);
        var chroma = Table(ChromaTable, scale);
        var n = height * width;
        var y = new float[n];
        var cb = new float[n];
        var cr = new float[n];
        for (var i = 0; i < n; i++)
        {
            float r = rgb[3 * i], g = rgb[(3 * i) + 1], b = rgb[(3 * i) + 2];
            y[i] = (0.299f * r) + (0.587f * g) + (0.114f * b);
            cb[i] = 128f - (0.168736f * r) - (0.331264f * g) + (0.5f * b);
            cr[i] = 128f + (0.5f * r) - (0.418688f * g) - (0.081312f * b);
        }

        Code(y, height, width, luma);
        int ch = (height + 1) / 2, cw = (width + 1) / 2;
        var subCb = Subsample(cb, height, width);
        var subCr = Subsample(cr, height, width);
        Code(subCb, ch, cw, chroma);
        Code(subCr, ch, cw, chroma);
        for (var row = 0; row < height; row++)
        {
            for (var col = 0; col < width; col++)
            {
                var i = (row * width) + col;
                var j = ((row / 2) * cw) + (col / 2);
                var l = y[i];
                var u = subCb[j] - 128f;
                var v = subCr[j] - 128f;
                rgb[3 * i] = ToByte(l + (1.402f * v));
                rgb[(3 * i) + 1] = ToByte(l - (0.344136f * u) - (0.714136f * v));
                rgb[(3 * i) + 2] = ToByte(l + (1.772f * u));
            }
        }
    }

    private static byte ToByte(float v) => (byte)Math.Clamp((int)MathF.Round(v), 0, 255);

    private static float[] Table(int[] baseTable, int scale)
    {
        var table = new float[64];
        for (var k = 0; k < 64; k++)
        {
            table[k] = Math.Clamp(((baseTable[k] * scale) + 50) / 100, 1, 255);
        }

        return table;
    }

    private static float[] Subsample(float[] plane, int height, int width)
    {
        int ch = (height + 1) / 2, cw = (width + 1) / 2;
        var result = new float[ch * cw];
        for (var row = 0; row < ch; row++)
        {
            for (var col = 0; col < cw; col++)
            {
                float sum = 0;
                for (var dy = 0; dy < 2; dy++)
                {
                    for (var dx = 0; dx < 2; dx++)
                    {
                        sum += plane[(Math.Min((2 * row) + dy, height - 1) * width) + Math.Min((2 * col) + dx, width - 1)];
                    }
                }

                result[(row * cw) + col] = sum / 4f;
            }
        }

        return result;
    }

    /// <summary>Forward DCT, quantisation and inverse DCT of every 8×8 block of a plane, in place (edges replicated).</summary>
    private static void Code(float[] plane, int height, int width, float[] table)
    {
        Span<float> block = stackalloc float[64];
        Span<float> temp = stackalloc float[64];
        for (var by = 0; by < height; by += 8)
        {
            for (var bx = 0; bx < width; bx += 8)
            {
                for (var r = 0; r < 8; r++)
                {
                    var row = Math.Min(by + r, height - 1) * width;
                    for (var c = 0; c < 8; c++)
                    {
                        block[(r * 8) + c] = plane[row + Math.Min(bx + c, width - 1)] - 128f;
                    }
                }

                Transform(block, temp, inverse: false);
                for (var k = 0; k < 64; k++)
                {
                    block[k] = MathF.Round(block[k] / table[k]) * table[k];
                }

                Transform(block, temp, inverse: true);
                for (var r = 0; r < 8 && by + r < height; r++)
                {
                    for (var c = 0; c < 8 && bx + c < width; c++)
                    {
                        plane[((by + r) * width) + bx + c] = block[(r * 8) + c] + 128f;
                    }
                }
            }
        }
    }

    /// <summary>The orthonormal 8×8 DCT-II (or its inverse) of a block, separably: B·X·Bᵀ (or Bᵀ·X·B).</summary>
    private static void Transform(Span<float> block, Span<float> temp, bool inverse)
    {
        for (var i = 0; i < 8; i++)
        {
            for (var j = 0; j < 8; j++)
            {
                float sum = 0;
                for (var k = 0; k < 8; k++)
                {
                    sum += (inverse ? Basis[(k * 8) + i] : Basis[(i * 8) + k]) * block[(k * 8) + j];
                }

                temp[(i * 8) + j] = sum;
            }
        }

        for (var i = 0; i < 8; i++)
        {
            for (var j = 0; j < 8; j++)
            {
                float sum = 0;
                for (var k = 0; k < 8; k++)
                {
                    sum += temp[(i * 8) + k] * (inverse ? Basis[(k * 8) + j] : Basis[(j * 8) + k]);
                }

                block[(i * 8) + j] = sum;
            }
        }
    }

    private static float[] CreateBasis()
    {
        var basis = new float[64];
        for (var u = 0; u < 8; u++)
        {
            var alpha = u == 0 ? MathF.Sqrt(1f / 8f) : MathF.Sqrt(2f / 8f);
            for (var x = 0; x < 8; x++)
            {
                basis[(u * 8) + x] = alpha * MathF.Cos((2 * x + 1) * u * MathF.PI / 16f);
            }
        }

        return basis;
    }
}
