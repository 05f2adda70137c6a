namespace DiGA.Core.Data.Transforms;

/// <summary>Host-side resampling of interleaved byte images and label maps, following PIL's resize semantics.</summary>
/// <remarks>
/// Bilinear and bicubic (a = −0.5) are separable convolutions whose support widens with the downscale factor
/// (antialiased, like PIL), horizontal pass first, each pass rounded and clipped to 0…255 as PIL does; nearest picks source pixel <c>floor((x + 0.5) · in / out)</c>, like PIL's NEAREST.
/// </remarks>
internal static class Resampler
{
    public enum Filter
    {
        Bilinear,
        Bicubic,
    }

    public static byte[] ResizeImage(byte[] src, int width, int height, int channels, int outWidth, int outHeight, Filter filter)
    {
        if (width == outWidth && height == outHeight)
        {
            return (byte[])src.Clone();
        }

        var (xStart, xCount, xWeights, xTaps) = Coefficients(width, outWidth, filter);
        var (yStart, yCount, yWeights, yTaps) = Coefficients(height, outHeight, filter);
        var temp = new float[height * outWidth * channels];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < outWidth; x++)
            {
                for (var c = 0; c < channels; c++)
                {
                    var sum = 0f;
                    for (var k = 0; k < xCount[x]; k++)
                    {
                        sum += xWeights[(x * xTaps) + k] * src[(((y * width) + xStart[x] + k) * channels) + c];
                    }

                    temp[(((y * outWidth) + x) * channels) + c] = Math.Clamp(MathF.Floor(sum + 0.5f), 0f, 255f);
                }
            }
        }

        var dst = new byte[outHeight * outWidth * channels];
        for (var y = 0; y < outHeight; y++)
        {
            for (var x = 0; x < outWidth; x++)
            {
                for (var c = 0; c < channels; c++)
                {
                    var sum = 0f;
                    for (var k = 0; k < yCount[y]; k++)
                    {
                        sum += yWeights[(y * yTaps) + k] * temp[((((yStart[y] + k) * outWidth) + x) * channels) + c];
                    }

                    dst[(((y * outWidth) + x) * channels) + c] = (byte)Math.Clamp((int)MathF.Floor(sum + 0.5f), 0, 255);
                }
            }
        }

        return dst;
    }

    public static byte[] ResizeNearest(byte[] src, int width, int height, int channels, int outWidth, int outHeight)
    {
        var dst = new byte[outHeight * outWidth * channels];
        var xs = new int[outWidth];
        for (var x = 0; x < outWidth; x++)
        {
            xs[x] = Math.Min(width - 1, (int)((x + 0.5) * width / outWidth));
        }

        for (var y = 0; y < outHeight; y++)
        {
            var sy = Math.Min(height - 1, (int)((y + 0.5) * height / outHeight));
            for (var x = 0; x < outWidth; x++)
            {
                Array.Copy(src, ((sy * width) + xs[x]) * channels, dst, ((y * outWidth) + x) * channels, channels);
            }
        }

        return dst;
    }

    public static byte[] Crop(byte[] src, int width, int channels, int x0, int y0, int cropWidth, int cropHeight)
    {
        var dst = new byte[cropWidth * cropHeight * channels];
        for (var y = 0; y < cropHeight; y++)
        {
            Array.Copy(src, (((y0 + y) * width) + x0) * channels, dst, y * cropWidth * channels, cropWidth * channels);
        }

        return dst;
    }

    public static byte[] FlipHorizontal(byte[] src, int width, int height, int channels)
    {
        var dst = new byte[src.Length];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                Array.Copy(src, ((y * width) + x) * channels, dst, ((y * width) + (width - 1 - x)) * channels, channels);
            }
        }

        return dst;
    }

    private static (int[] Start, int[] Count, float[] Weights, int Taps) Coefficients(int inSize, int outSize, Filter filter)
    {
        var support = filter == Filter.Bicubic ? 2.0 : 1.0;
        var scale = (double)inSize / outSize;
        var filterScale = Math.Max(scale, 1.0);
        var radius = support * filterScale;
        var taps = (int)Math.Ceiling(radius) * 2 + 1;
        var start = new int[outSize];
        var count = new int[outSize];
        var weights = new float[outSize * taps];
        for (var x = 0; x < outSize; x++)
        {
            var center = (x + 0.5) * scale;
            var min = Math.Max(0, (int)(center - radius + 0.5));
            var max = Math.Min(inSize, (int)(center + radius + 0.5));
            var n = Math.Min(max - min, taps);
            var total = 0.0;
            var w = new double[n];
            for (var k = 0; k < n; k++)
            {
                var t = (k + min - center + 0.5) / filterScale;
                w[k] = filter == Filter.Bicubic ? Cubic(t) : Math.Max(0.0, 1.0 - Math.Abs(t));
                total += w[k];
            }

            for (var k = 0; k < n; k++)
            {
                weights[(x * taps) + k] = (float)(total != 0 ? w[k] / total : 0);
            }

            start[x] = min;
            count[x] = n;
        }

        return (start, count, weights, taps);
    }

    private static double Cubic(double x)
    {
        const double a = -0.5;
        x = Math.Abs(x);
        return x < 1 ? (((a + 2) * x) - (a + 3)) * x * x + 1
            : x < 2 ? ((((x - 5) * x) + 8) * x - 4) * a
            : 0;
    }
}
