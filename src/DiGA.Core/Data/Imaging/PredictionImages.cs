using DiGA.Core.Foundation;
using DiGA.Core.Labels;
using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Data.Imaging;

/// <summary>Colourises label maps and saves predictions as label PNGs, colour PNGs or overlays.</summary>
/// <remarks>
/// Labels are train ids; 255 and any id without a class colour are drawn black. Tensor overloads copy the data to the
/// host (an IO operation, not for hot paths) and never dispose their inputs. Thread-safe.
/// </remarks>
public static class PredictionImages
{
    /// <summary>Maps train ids to class colours.</summary>
    /// <param name="labels">Row-major train ids.</param>
    /// <param name="labelSpace">The class colours.</param>
    /// <returns>Interleaved RGB bytes, three per label.</returns>
    public static byte[] Colorize(ReadOnlySpan<byte> labels, LabelSpace labelSpace)
    {
        ArgumentNullException.ThrowIfNull(labelSpace);
        var lut = ColorLookup(labelSpace);
        var rgb = new byte[labels.Length * 3];
        for (var i = 0; i < labels.Length; i++)
        {
            var k = labels[i] * 3;
            rgb[3 * i] = lut[k];
            rgb[(3 * i) + 1] = lut[k + 1];
            rgb[(3 * i) + 2] = lut[k + 2];
        }

        return rgb;
    }

    /// <summary>Blends class colours over an image: <c>out = (1 − alpha) · image + alpha · colour</c>; ignored pixels keep the image.</summary>
    /// <param name="image">Interleaved RGB bytes.</param>
    /// <param name="labels">Row-major train ids, one per pixel.</param>
    /// <param name="labelSpace">The class colours.</param>
    /// <param name="alpha">The colour weight in [0, 1].</param>
    /// <returns>Interleaved RGB bytes.</returns>
    public static byte[] Overlay(ReadOnlySpan<byte> image, ReadOnlySpan<byte> labels, LabelSpace labelSpace, double alpha = 0.5)
    {
        ArgumentNullException.ThrowIfNull(labelSpace);
        ArgumentOutOfRangeException.ThrowIfLessThan(alpha, 0.0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(alpha, 1.0);
        if (image.Length != labels.Length * 3)
        {
            throw new ArgumentException($"The image has {image.Length} bytes but {labels.Length} labels need {labels.Length * 3}.", nameof(image));
        }

        var colors = Colorize(labels, labelSpace);
        var output = new byte[image.Length];
        for (var i = 0; i < image.Length; i++)
        {
            output[i] = labels[i / 3] < labelSpace.ClassCount ? (byte)Math.Round(((1 - alpha) * image[i]) + (alpha * colors[i])) : image[i];
        }

        return output;
    }

    /// <summary>Saves a prediction as an 8-bit greyscale label PNG (train ids, e.g. a pseudo-label).</summary>
    /// <param name="labels">Train ids <c>[H, W]</c>, any integer dtype, any device.</param>
    /// <param name="path">The PNG file.</param>
    public static void SaveLabels(Tensor labels, string path)
    {
        var (values, height, width) = ToHost(labels);
        ImageFile.WriteLabel(path, width, height, values);
    }

    /// <summary>Saves a prediction as a palette PNG: pixel indices are the train ids, the palette holds the class colours (other ids black).</summary>
    /// <remarks>Image viewers show the colours; <see cref="ImageFile.ReadLabel(string)"/> reads the train ids back.</remarks>
    /// <param name="labels">Train ids <c>[H, W]</c>, any integer dtype, any device.</param>
    /// <param name="path">The PNG file.</param>
    /// <param name="labelSpace">The class colours.</param>
    public static void SavePaletteLabels(Tensor labels, string path, LabelSpace labelSpace)
    {
        ArgumentNullException.ThrowIfNull(labelSpace);
        var (values, height, width) = ToHost(labels);
        var palette = new LabelColor[256];
        for (var c = 0; c < labelSpace.ClassCount; c++)
        {
            palette[c] = labelSpace.Colors[c];
        }

        ImageFile.WritePaletteLabel(path, width, height, values, palette);
    }

    /// <summary>Saves a prediction colourised with the class colours as an RGB PNG.</summary>
    /// <param name="labels">Train ids <c>[H, W]</c>, any integer dtype, any device.</param>
    /// <param name="path">The PNG file.</param>
    /// <param name="labelSpace">The class colours.</param>
    public static void SaveColorized(Tensor labels, string path, LabelSpace labelSpace)
    {
        var (values, height, width) = ToHost(labels);
        ImageFile.WriteRgb(path, new RgbImage(width, height, Colorize(values, labelSpace)));
    }

    /// <summary>Saves an image with the prediction blended over it.</summary>
    /// <param name="image">RGB image <c>[3, H, W]</c> on the 0–255 scale (uint8 or float), any device.</param>
    /// <param name="labels">Train ids <c>[H, W]</c>.</param>
    /// <param name="path">The PNG (or JPEG) file.</param>
    /// <param name="labelSpace">The class colours.</param>
    /// <param name="alpha">The colour weight in [0, 1].</param>
    public static void SaveOverlay(Tensor image, Tensor labels, string path, LabelSpace labelSpace, double alpha = 0.5)
    {
        ArgumentNullException.ThrowIfNull(image);
        var (values, height, width) = ToHost(labels);
        if (image.dim() != 3 || image.shape[0] != 3 || image.shape[1] != height || image.shape[2] != width)
        {
            throw new ArgumentException($"Expected an image [3, {height}, {width}], got [{string.Join(", ", image.shape)}].", nameof(image));
        }

        byte[] pixels;
        using (NewDisposeScope())
        {
            pixels = image.detach().to(ScalarType.Float32).round().clamp(Scalars.Of(0), Scalars.Of(255)).to(ScalarType.Byte).permute(1, 2, 0).contiguous().cpu().data<byte>().ToArray();
        }

        ImageFile.WriteRgb(path, new RgbImage(width, height, Overlay(pixels, values, labelSpace, alpha)));
    }

    private static (byte[] Values, int Height, int Width) ToHost(Tensor labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.dim() != 2 || labels.is_floating_point())
        {
            throw new ArgumentException($"Expected integer labels [H, W], got {labels.dtype} [{string.Join(", ", labels.shape)}].", nameof(labels));
        }

        using var scope = NewDisposeScope();
        var values = labels.detach().clamp(Scalars.Of(0), Scalars.Of(255)).to(ScalarType.Byte).contiguous().cpu().data<byte>().ToArray();
        return (values, (int)labels.shape[0], (int)labels.shape[1]);
    }

    private static byte[] ColorLookup(LabelSpace labelSpace)
    {
        var lut = new byte[256 * 3];
        for (var c = 0; c < labelSpace.ClassCount; c++)
        {
            lut[3 * c] = labelSpace.Colors[c].R;
            lut[(3 * c) + 1] = labelSpace.Colors[c].G;
            lut[(3 * c) + 2] = labelSpace.Colors[c].B;
        }

        return lut;
    }
}
