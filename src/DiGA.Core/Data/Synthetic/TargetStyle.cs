using System.Text.Json.Serialization;

namespace DiGA.Core.Data.Synthetic;

/// <summary>The appearance of the synthetic target ("real") domain.</summary>
/// <remarks>Every style renders the same target scenes: the labels do not depend on the style.</remarks>
[JsonConverter(typeof(JsonStringEnumConverter<TargetStyle>))]
public enum TargetStyle
{
    /// <summary>
    /// A colour-statistics shift: desaturated per-class palette, value-noise texture, global illumination gradients,
    /// vignetting, colour cast, gamma, blur and sensor noise (<see cref="SyntheticBenchmarkOptions.TargetAppearance"/>).
    /// A global colour transfer undoes most of it.
    /// </summary>
    ColorShift,

    /// <summary><see cref="ColorShift"/> plus depth-dependent haze: pixels blend toward a haze colour with distance (a spatially varying shift).</summary>
    Fog,

    /// <summary>Dark cold ambient light with local light pools around lamps, lit windows and car lights, glow and strong noise.</summary>
    Night,

    /// <summary>
    /// A photo-like look (<see cref="SyntheticBenchmarkOptions.Photoreal"/>): per-class materials and textures, class-conditional
    /// colours from a photo-like catalogue with per-instance variety, sunlight with cast shadows or overcast light, wet roads,
    /// and camera effects (exposure with clipping, vignetting, chromatic aberration, motion blur, noise, JPEG blocks).
    /// Most of it is not a global colour change.
    /// </summary>
    Photoreal,
}
