namespace DiGA.Core.Labels;

/// <summary>An 8-bit RGB colour used to draw a class.</summary>
/// <param name="R">Red.</param>
/// <param name="G">Green.</param>
/// <param name="B">Blue.</param>
public readonly record struct LabelColor(byte R, byte G, byte B);
