namespace DiGA.Core.Data.Imaging;

/// <summary>An 8-bit RGB image in managed memory.</summary>
/// <param name="Width">The width in pixels.</param>
/// <param name="Height">The height in pixels.</param>
/// <param name="Pixels">Interleaved RGB bytes, row-major <c>[Height, Width, 3]</c>.</param>
public sealed record RgbImage(int Width, int Height, byte[] Pixels);
