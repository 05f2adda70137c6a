using System.Text.Json.Serialization;

namespace DiGA.Core.Data.Synthetic;

/// <summary>The appearance of the synthetic target ("real") domain.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TargetStyle>))]
public enum TargetStyle
{
    /// <summary>Desaturated palette, texture, global illumination gradients, vignetting, colour cast, gamma, blur and sensor noise.</summary>
    Default,

    /// <summary><see cref="Default"/> plus depth-dependent haze: pixels blend toward a haze colour with distance (a spatially varying shift).</summary>
    Fog,

    /// <summary>Dark cold ambient light with local light pools around lamps, lit windows and car lights, glow and strong noise.</summary>
    Night,
}
