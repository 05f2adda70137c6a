namespace DiGA.Core.Data.Imaging;

/// <summary>A label map as stored in a file: one raw value per pixel (not yet mapped to train ids).</summary>
/// <param name="Width">The width in pixels.</param>
/// <param name="Height">The height in pixels.</param>
/// <param name="BitDepth">The stored bit depth (8 or 16 for the common formats).</param>
/// <param name="Values">Row-major <c>[Height, Width]</c> raw values: the grey value, the palette index, or channel 0 of a colour image.</param>
public sealed record LabelImage(int Width, int Height, int BitDepth, ushort[] Values);
