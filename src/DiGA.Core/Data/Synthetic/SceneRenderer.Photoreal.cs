using DiGA.Core.Foundation;

namespace DiGA.Core.Data.Synthetic;

/// <summary>The <see cref="TargetStyle.Photoreal"/> target style: materials, lighting and camera.</summary>
/// <remarks>
/// Order: albedo from the photo-like catalogue (drawn with the scene), material textures, sunlight and cast shadows (or
/// overcast light), wet road, then the camera: vignetting, chromatic aberration, defocus and motion blur, exposure and
/// sensor noise, white balance, tone curve with highlight roll-off, gamma, 8-bit quantisation and JPEG-like compression.
/// Every random choice of the style comes from its own generator (<see cref="StyleStream"/>) or from coordinate hashes,
/// so the scene layout and the labels are those of the other styles.
/// </remarks>
internal sealed partial class SceneRenderer
{
    private const ulong StyleStream = 0x50484F544FUL;

    private static readonly float[] WetSheen = [0.80f, 0.82f, 0.85f];

    private Pcg32 _style;
    private PhotorealStyleOptions _photo = new();
    private bool _sunny;
    private float _sunSide;
    private bool _wet;
    private uint _salt;
    private float[] _skyTop = [0f, 0f, 0f];
    private float[] _skyHorizon = [0f, 0f, 0f];
    private float _cloudBias;

    private void InitializePhotoreal(PhotorealStyleOptions options)
    {
        _photo = options;
        _sunny = _style.Chance(options.SunProbability);
        _sunSide = _style.Chance(0.5) ? -1f : 1f;
        _wet = _style.Chance(options.WetRoadProbability);
        _salt = _style.NextUInt();
        _cloudBias = _style.Uniform(-0.5, 0.3);
        if (_sunny)
        {
            // Hazy sunlit sky: warm white toward the horizon, a faint blue at the top (overexposed, as camera skies are).
            _skyHorizon = [_style.Uniform(0.90, 0.96), _style.Uniform(0.86, 0.91), _style.Uniform(0.76, 0.84)];
            _skyTop = [_style.Uniform(0.66, 0.74), _style.Uniform(0.72, 0.78), _style.Uniform(0.80, 0.88)];
        }
        else
        {
            // Overcast: bright grey to warm white.
            var grey = _style.Uniform(0.80, 0.92);
            var warm = _style.Uniform(0.0, 0.05);
            _skyHorizon = [grey + warm, grey, grey - (1.5f * warm)];
            _skyTop = [0.92f * _skyHorizon[0], 0.92f * _skyHorizon[1], 0.92f * _skyHorizon[2]];
        }
    }

    /// <summary>Blends the (jittered) source colour of an instance with a colour drawn from its material's catalogue.</summary>
    private float[] PhotorealColor(float[] source, Material material, Instance instance)
    {
        source = ClassTransform(source, material);
        var catalogue = CatalogueColor(source, material, instance);
        var shift = _style.Uniform(_photo.PaletteShiftMin, _photo.PaletteShiftMax);
        instance.Shift = shift;
        var color = new float[3];
        for (var c = 0; c < 3; c++)
        {
            color[c] = ((1 - shift) * source[c]) + (shift * catalogue[c]);
        }

        return color;
    }

    /// <summary>
    /// Changes a source colour the way its class changes in the photo-like domain: its luma and chroma are scaled and its
    /// hue is rotated by class-specific amounts (different classes in different directions), raised to the power
    /// <see cref="PhotorealStyleOptions.ClassColorShift"/>.
    /// </summary>
    private float[] ClassTransform(float[] color, Material material)
    {
        var (lumaFactor, chromaFactor, degrees) = material switch
        {
            Material.Road => (0.8f, 0.5f, -90f),
            Material.Sidewalk => (0.9f, 0.5f, -50f),
            Material.Building => (1.3f, 0.6f, 40f),
            Material.Window => (0.35f, 0.4f, 0f),
            Material.Vegetation => (0.6f, 0.6f, -25f),
            Material.Trunk => (0.8f, 0.6f, 0f),
            Material.Terrain => (0.75f, 0.6f, -50f),
            Material.Sky => (1.4f, 0.3f, 0f),
            Material.Glass => (0.3f, 0.4f, 0f),
            Material.Pole => (0.6f, 0.5f, 0f),
            Material.CarPaint => (1f, 0.6f, _style.Uniform(-180.0, 180.0)),
            Material.Clothing => (0.6f, 0.5f, 0f),
            _ => (1f, 1f, 0f),
        };
        var a = (float)_photo.ClassColorShift;
        var luma = Luma(color);
        var cb = 0.564f * (color[2] - luma);
        var cr = 0.713f * (color[0] - luma);
        var (sin, cos) = MathF.SinCos(a * degrees * MathF.PI / 180f);
        var scale = MathF.Pow(chromaFactor, a);
        var newLuma = Math.Min(0.95f, luma * MathF.Pow(lumaFactor, a));
        return FromLumaChroma(newLuma, scale * ((cos * cb) - (sin * cr)), scale * ((sin * cb) + (cos * cr)));
    }

    private static float[] FromLumaChroma(float luma, float cb, float cr) =>
        [Math.Clamp(luma + (1.402f * cr), 0f, 1f), Math.Clamp(luma - (0.344136f * cb) - (0.714136f * cr), 0f, 1f), Math.Clamp(luma + (1.772f * cb), 0f, 1f)];

    /// <summary>
    /// Draws an instance colour from the photo-like catalogue of its material. The catalogue keeps each class's
    /// brightness near the source's but changes its hue and saturation class by class (purple road → grey asphalt, pink
    /// sidewalk → beige or grey paving, red brick → mostly grey and blue-grey façades, blue sky → warm or grey white,
    /// saturated car colours → any hue at the source car's brightness), so no single global colour map relates the domains.
    /// </summary>
    private float[] CatalogueColor(float[] source, Material material, Instance instance)
    {
        switch (material)
        {
            case Material.Road:
                {
                    var g = _style.Uniform(0.28, 0.40);
                    return [g * _style.Uniform(0.98, 1.05), g, g * _style.Uniform(0.94, 1.03)];
                }

            case Material.LaneMark:
                return Scaled(_style.Chance(0.2) ? [0.80f, 0.70f, 0.38f] : [0.82f, 0.82f, 0.78f], _style.Uniform(0.85, 1.05));
            case Material.Sidewalk:
                instance.Kind = Pick([0.3, 0.3, 0.2, 0.2]);
                return Varied(instance.Kind switch
                {
                    0 => [0.66f, 0.65f, 0.62f],
                    1 => [0.72f, 0.66f, 0.56f],
                    2 => [0.72f, 0.56f, 0.50f],
                    _ => [0.62f, 0.62f, 0.63f],
                }, 0.9, 1.08, 0.04);
            case Material.Building:
                instance.Kind = Pick([0.2, 0.3, 0.15, 0.15, 0.1, 0.1]);
                return Varied(instance.Kind switch
                {
                    0 => [0.66f, 0.66f, 0.67f],
                    1 => [0.52f, 0.53f, 0.55f],
                    2 => [0.62f, 0.56f, 0.46f],
                    3 => [0.44f, 0.50f, 0.58f],
                    4 => [0.32f, 0.40f, 0.48f],
                    _ => [0.50f, 0.31f, 0.25f],
                }, 0.85, 1.15, 0.04);
            case Material.Window:
                return Varied([0.16f, 0.19f, 0.23f], 0.8, 1.2, 0.04);
            case Material.Vegetation:
                instance.Kind = Pick([0.35, 0.25, 0.28, 0.12]);
                return Varied(instance.Kind switch
                {
                    0 => [0.30f, 0.52f, 0.20f],
                    1 => [0.42f, 0.50f, 0.22f],
                    2 => [0.22f, 0.42f, 0.16f],
                    _ => [0.62f, 0.52f, 0.20f],
                }, 0.85, 1.15, 0.06);
            case Material.Trunk:
                return Scaled([0.30f, 0.25f, 0.20f], _style.Uniform(0.8, 1.2));
            case Material.Terrain:
                instance.Kind = Pick([0.5, 0.5]);
                return Varied(instance.Kind == 0 ? [0.55f, 0.66f, 0.38f] : [0.72f, 0.68f, 0.48f], 0.9, 1.1, 0.06);
            case Material.Sky:
                return [_skyHorizon[0], _skyHorizon[1], _skyHorizon[2]];
            case Material.Glass:
                return Varied([0.10f, 0.12f, 0.15f], 0.8, 1.3, 0.04);
            case Material.Wheel:
                return Scaled([0.05f, 0.05f, 0.05f], _style.Uniform(0.8, 1.4));
            case Material.Skin:
                {
                    var a = _style.Uniform(0.0, 1.0);
                    return [0.90f - (0.52f * a), 0.72f - (0.46f * a), 0.60f - (0.40f * a)];
                }

            case Material.Pole:
                instance.Kind = Pick([0.5, 0.25, 0.25]);
                return Varied(instance.Kind switch { 0 => [0.32f, 0.33f, 0.35f], 1 => [0.14f, 0.20f, 0.16f], _ => [0.09f, 0.09f, 0.10f] }, 0.9, 1.1, 0.03);
            case Material.Sign:
                instance.Kind = Pick([0.3, 0.3, 0.2, 0.2]);
                return Varied(instance.Kind switch { 0 => [0.72f, 0.14f, 0.14f], 1 => [0.14f, 0.28f, 0.62f], 2 => [0.85f, 0.70f, 0.15f], _ => [0.85f, 0.85f, 0.84f] }, 0.9, 1.1, 0.03);
            case Material.CarPaint:
                {
                    // Any hue, mostly weakly saturated, at the brightness of the source car's colour.
                    var luma = Math.Clamp(Luma(source) * _style.Uniform(0.8, 1.1), 0.06f, 0.9f);
                    var chroma = _style.Uniform(0.0, 0.25) * Math.Min(luma, 1 - luma) * 2;
                    return FromLuma(luma, _style.Uniform(0.0, 2 * Math.PI), chroma);
                }

            default:
                instance.Kind = Pick([0.25, 0.15, 0.15, 0.15, 0.15, 0.05, 0.05, 0.05]);
                return Varied(instance.Kind switch
                {
                    0 => [0.08f, 0.08f, 0.09f],
                    1 => [0.12f, 0.14f, 0.24f],
                    2 => [0.35f, 0.35f, 0.36f],
                    3 => [0.22f, 0.28f, 0.40f],
                    4 => [0.45f, 0.36f, 0.27f],
                    5 => [0.80f, 0.80f, 0.78f],
                    6 => [0.60f, 0.12f, 0.12f],
                    _ => [0.20f, 0.32f, 0.20f],
                }, 0.85, 1.15, 0.04);
        }
    }

    private static float Luma(float[] c) => (0.299f * c[0]) + (0.587f * c[1]) + (0.114f * c[2]);

    /// <summary>An RGB colour of the given luma with a chroma of the given size in the given direction (YCbCr-like plane).</summary>
    private static float[] FromLuma(float luma, float hue, float chroma)
    {
        var (sin, cos) = MathF.SinCos(hue);
        var cb = chroma * cos;
        var cr = chroma * sin;
        return [Math.Clamp(luma + (1.402f * cr), 0f, 1f), Math.Clamp(luma - (0.344136f * cb) - (0.714136f * cr), 0f, 1f), Math.Clamp(luma + (1.772f * cb), 0f, 1f)];
    }

    private int Pick(ReadOnlySpan<double> weights)
    {
        var u = _style.NextDouble();
        for (var k = 0; k < weights.Length - 1; k++)
        {
            u -= weights[k];
            if (u < 0)
            {
                return k;
            }
        }

        return weights.Length - 1;
    }

    private float[] Varied(float[] color, double brightnessMin, double brightnessMax, double channel)
    {
        var b = _style.Uniform(brightnessMin, brightnessMax);
        return [color[0] * b * _style.Uniform(1 - channel, 1 + channel), color[1] * b * _style.Uniform(1 - channel, 1 + channel), color[2] * b * _style.Uniform(1 - channel, 1 + channel)];
    }

    private static float[] Scaled(float[] color, float factor) => [color[0] * factor, color[1] * factor, color[2] * factor];

    private byte[] FinishPhotoreal()
    {
        var o = _photo;
        ApplyMaterials((float)o.MaterialStrength);
        ApplyLight((float)o.ShadowLight);
        if (_wet)
        {
            ApplyWetRoad();
        }

        ApplyCamera(o);
        var bytes = Quantize();
        var quality = _style.Next(o.QualityMin, o.QualityMax + 1);
        if (_style.Chance(o.CompressionProbability))
        {
            JpegLikeCompression.Apply(bytes, _height, _width, quality);
        }

        return bytes;
    }

    // ---- Materials -------------------------------------------------------------------------------------------------

    private void ApplyMaterials(float strength)
    {
        var salt = _salt;
        var tile = Math.Max(2f, 0.07f * _height);
        var floor = Math.Max(3f, 0.07f * _height);
        var lane = 0.5f * _roadHalf / _width;
        for (var y = 0; y < _height; y++)
        {
            var t = (y + 0.5f - _horizon) / (_height - _horizon);
            var ground = t > 0;
            var tc = Math.Max(t, 0.02f);
            var gv = (1f / tc) - 1f;
            var fade = Math.Clamp((t - 0.2f) / 0.3f, 0f, 1f);
            for (var x = 0; x < _width; x++)
            {
                var i = (y * _width) + x;
                var instance = _instances[_instance[i]];
                var gu = (x + 0.5f - _vanishX) / (tc * _width);
                var k = 3 * i;
                float f;
                switch ((Material)_material[i])
                {
                    case Material.Road when ground:
                        {
                            var grain = 0.06f * Lattice(x, y, salt + 1);
                            var stain = 0.12f * Noise(gu * 8f, gv * 1.2f, salt + 2);
                            var across = MathF.Abs(MathF.Abs(gu) - lane);
                            var track = 0.10f * (MathF.Exp(-Square((across - 0.06f) / 0.025f)) + MathF.Exp(-Square((across + 0.06f) / 0.025f)));
                            var patch = Noise(gu * 3f, gv * 0.4f, salt + 3) > 0.45f ? 0.12f : 0f;
                            f = 1 + (strength * (grain + stain - track + patch));
                            if (fade > 0 && MathF.Abs(Noise(gu * 18f, gv * 2.5f, salt + 4)) < 0.035f)
                            {
                                f *= 1 - (Math.Min(strength, 1f) * 0.45f * fade);
                            }

                            break;
                        }

                    case Material.LaneMark when ground:
                        if (Noise(gu * 25f, gv * 3f, salt + 5) + (0.3f * Lattice(x, y, salt + 6)) < -0.15f * strength)
                        {
                            // Worn paint: the asphalt shows through.
                            _rgb[k] = _roadColor[0];
                            _rgb[k + 1] = _roadColor[1];
                            _rgb[k + 2] = _roadColor[2];
                            _material[i] = (byte)Material.Road;
                        }

                        f = 1 + (strength * 0.05f * Lattice(x, y, salt + 7));
                        break;
                    case Material.Sidewalk when ground:
                        {
                            var dx = (MathF.Abs(x + 0.5f - _vanishX) / tc) - _roadHalf;
                            if (dx < 0.015f * _width)
                            {
                                f = 1 + (strength * 0.22f);
                                break;
                            }

                            var tu = gu / 0.06f;
                            var tv = gv / 0.3f;
                            var joint = Fraction(tu) < 0.14f || Fraction(tv) < 0.14f ? 0.25f * fade : 0f;
                            var tone = 0.06f * Lattice((int)MathF.Floor(tu), (int)MathF.Floor(tv), salt + 8);
                            var stain = 0.08f * Noise(gu * 6f, gv * 0.8f, salt + 9);
                            f = 1 + (strength * (tone + stain + (0.04f * Lattice(x, y, salt + 10)) - joint));
                            break;
                        }

                    case Material.Terrain when ground:
                        {
                            f = 1 + (strength * ((0.14f * Lattice(x, y, salt + 11)) + (0.14f * Noise(gu * 14f, gv * 2f, salt + 12))));
                            var dry = Math.Min(strength, 1f) * 0.5f * SmoothStep(0.15f, 0.45f, Noise(gu * 3f, gv * 0.5f, salt + 13));
                            Blend(k, 0.52f, 0.46f, 0.32f, dry);
                            _rgb[k + 1] *= 1 + (strength * 0.08f * Lattice(x, y, salt + 14));
                            break;
                        }

                    case Material.Building:
                        f = FacadeFactor(x, y, instance, strength, floor, tile, k);
                        break;
                    case Material.Window:
                        f = WindowFactor(y, _instance[i], instance, strength, k);
                        break;
                    case Material.Vegetation:
                        {
                            var leaf = (0.22f * Lattice(x, y, salt + 15)) + (0.25f * Noise(x * 0.55f, y * 0.55f, salt + 16));
                            f = 1 + (strength * leaf);
                            if (instance.Foot >= 0 && instance.Y1 > instance.Y0)
                            {
                                // A crown: lit from above, darker underneath.
                                var rel = Math.Clamp((y + 0.5f - instance.Y0) / (instance.Y1 - instance.Y0), 0f, 1f);
                                f *= 1 + (Math.Min(strength, 1f) * (0.12f - (0.35f * rel)));
                            }

                            _rgb[k + 1] *= 1 + (strength * 0.06f * Lattice(x, y, salt + 17));
                            break;
                        }

                    case Material.Trunk:
                        f = 1 + (strength * 0.15f * Noise(x * 2f, y * 0.3f, salt + 18));
                        break;
                    case Material.Sky:
                        SkyColor(x, y, k);
                        f = 1;
                        break;
                    case Material.CarPaint:
                        f = CarPaintFactor(x, y, _instance[i], instance, strength, k);
                        break;
                    case Material.Glass:
                        {
                            var rel = instance.Size > 0 ? (instance.Foot - (y + 0.5f)) / instance.Size : 0.4f;
                            f = 1 + (strength * 2.5f * Math.Clamp(rel - 0.32f, 0f, 0.14f));
                            break;
                        }

                    default:
                        f = 1 + (strength * 0.05f * Lattice(x, y, salt + 19));
                        break;
                }

                _rgb[k] *= f;
                _rgb[k + 1] *= f;
                _rgb[k + 2] *= f;
            }
        }
    }

    private float FacadeFactor(int x, int y, Instance facade, float strength, float floor, float tile, int k)
    {
        var salt = _salt + (uint)(facade.Kind * 7919) + 20;
        var fx = x + 0.5f - facade.X0;
        var fy = y + 0.5f - facade.Y0;
        var height = Math.Max(1f, facade.Y1 - facade.Y0);
        var grime = 0.18f * Square(Math.Clamp(fy / height, 0f, 1f));
        var streak = 0.08f * Noise(fx * 0.6f, fy * 0.04f, salt);
        float pattern;
        switch (facade.Kind)
        {
            case 0: // light plaster: blotches, a lighter cornice at each floor
                pattern = (0.07f * Noise(fx * 0.12f, fy * 0.12f, salt + 1)) + (Fraction(fy / floor) < 0.12f ? 0.08f : 0f);
                break;
            case 1: // concrete panels: dark seams, stains
                pattern = (0.10f * Noise(fx * 0.2f, fy * 0.2f, salt + 1)) - (Fraction(fy / floor) < 0.1f || Fraction(fx / (0.07f * _width)) < 0.08f ? 0.12f : 0f);
                break;
            case 2: // dark stone blocks
                {
                    var row = MathF.Floor(fy / tile);
                    var width = 2.5f * tile;
                    var u = (fx + (((int)row & 1) * 0.5f * width)) / width;
                    pattern = (0.06f * Lattice((int)MathF.Floor(u), (int)row, salt + 2)) - (Fraction(fy / tile) < 0.18f || Fraction(u) < 0.1f ? 0.10f : 0f);
                    break;
                }

            case 3: // blue-grey render: like plaster
                pattern = (0.07f * Noise(fx * 0.12f, fy * 0.12f, salt + 1)) + (Fraction(fy / floor) < 0.12f ? 0.06f : 0f);
                break;
            case 4: // glass curtain wall: sky reflection brighter at the top, dark mullions
                {
                    var reflection = Math.Min(strength, 1f) * 0.35f * (1 - Math.Clamp(fy / height, 0f, 1f));
                    Blend(k, _skyHorizon[0], _skyHorizon[1], _skyHorizon[2], reflection);
                    pattern = Fraction(fx / Math.Max(2f, 0.025f * _width)) < 0.2f ? -0.25f : 0f;
                    break;
                }

            default: // brick with lighter mortar
                {
                    var brick = Math.Max(1.5f, 0.028f * _height);
                    var row = MathF.Floor(fy / brick);
                    var width = 2.2f * brick;
                    var u = (fx + (((int)row & 1) * 0.5f * width)) / width;
                    if (Fraction(fy / brick) < 0.25f || Fraction(u) < 0.12f)
                    {
                        Blend(k, 0.62f, 0.60f, 0.56f, Math.Min(strength, 1f) * 0.45f);
                    }

                    pattern = 0.10f * Lattice((int)MathF.Floor(u), (int)row, salt + 3);
                    break;
                }
        }

        return 1 + (strength * (streak + pattern - grime));
    }

    private float WindowFactor(int y, int id, Instance window, float strength, int k)
    {
        var variant = Unit(Hash((uint)id ^ (_salt * 31)));
        var blend = Math.Min(strength, 1f);
        if (variant < 0.55f)
        {
            var rel = window.Y1 > window.Y0 ? Math.Clamp((y + 0.5f - window.Y0) / (window.Y1 - window.Y0), 0f, 1f) : 0.5f;
            return 1 + (strength * 0.4f * (1 - rel));
        }

        if (variant < 0.8f)
        {
            Blend(k, 0.85f * _skyHorizon[0], 0.85f * _skyHorizon[1], 0.85f * _skyHorizon[2], 0.6f * blend);
        }
        else if (variant < 0.95f)
        {
            Blend(k, 0.72f, 0.66f, 0.55f, 0.7f * blend);
        }
        else
        {
            return 1 - (0.4f * blend);
        }

        return 1;
    }

    private float CarPaintFactor(int x, int y, int id, Instance car, float strength, int k)
    {
        if (car.Size <= 0)
        {
            return 1;
        }

        var blend = Math.Min(strength, 1f);
        var rel = (car.Foot - (y + 0.5f)) / car.Size;
        var side = MathF.Abs(x + 0.5f - car.X) / car.Size;
        if (rel > 0.17f && rel < 0.24f && side > 0.41f && Unit(Hash((uint)id ^ (_salt * 17))) < 0.6f)
        {
            // Tail-lights.
            Blend(k, 0.70f, 0.08f, 0.06f, 0.9f * blend);
            return 1;
        }

        float f;
        if (rel < 0.14f)
        {
            f = 1 - (0.28f * strength);
        }
        else if (rel > 0.25f && rel < 0.30f)
        {
            Blend(k, 1f, 1f, 1f, (_sunny ? 0.35f : 0.15f) * blend);
            f = 1 + (0.1f * strength);
        }
        else
        {
            f = rel > 0.44f ? 1 + (0.15f * strength) : 1;
            if (rel > 0.3f)
            {
                Blend(k, _skyHorizon[0], _skyHorizon[1], _skyHorizon[2], 0.12f * blend);
            }
        }

        return f + (strength * 0.03f * Lattice(x, (int)(y + (7 * id)), _salt + 30));
    }

    private void SkyColor(int x, int y, int k)
    {
        var a = Math.Clamp((y + 0.5f) / Math.Max(1f, _horizon), 0f, 1f);
        var mix = MathF.Pow(a, 0.6f);
        float r = _skyTop[0] + ((_skyHorizon[0] - _skyTop[0]) * mix);
        float g = _skyTop[1] + ((_skyHorizon[1] - _skyTop[1]) * mix);
        float b = _skyTop[2] + ((_skyHorizon[2] - _skyTop[2]) * mix);
        var scale = 64f / _height;
        if (_sunny)
        {
            var c = Noise(x * 0.07f * scale, y * 0.22f * scale, _salt + 40) + (0.5f * Noise(x * 0.18f * scale, y * 0.5f * scale, _salt + 41));
            var cover = SmoothStep(0.2f, 0.7f, c + _cloudBias);
            var shade = 0.96f - (0.12f * a);
            r += (shade - r) * cover;
            g += (shade - g) * cover;
            b += ((shade - 0.01f) - b) * cover;
        }
        else
        {
            var f = 1 + (0.07f * Noise(x * 0.05f * scale, y * 0.15f * scale, _salt + 42));
            r *= f;
            g *= f;
            b *= f;
        }

        // The instance colour already holds PaletteShift · horizon colour: add the same share of the procedural sky.
        var shift = _instances[_instance[k / 3]].Shift;
        _rgb[k] += shift * (r - _skyHorizon[0]);
        _rgb[k + 1] += shift * (g - _skyHorizon[1]);
        _rgb[k + 2] += shift * (b - _skyHorizon[2]);
    }

    // ---- Light -----------------------------------------------------------------------------------------------------

    private void ApplyLight(float shadowLight)
    {
        var n = _height * _width;
        var buildingShadow = new float[n];
        var objectShadow = new float[n];
        var s = _sunSide;
        if (_sunny)
        {
            // Shadows of the buildings along the sun side of the street: a band along the street, broken at gaps.
            var segment = _style.Uniform(0.6, 1.6);
            var phase = _style.Uniform(0.0, 1.0);
            var edgeBase = _style.Uniform(-0.6, 1.0) * _roadHalf / _width;
            var salt = _salt + 50;
            for (var y = 0; y < _height; y++)
            {
                var t = (y + 0.5f - _horizon) / (_height - _horizon);
                if (t <= 0)
                {
                    continue;
                }

                var gv = (1f / Math.Max(t, 0.02f)) - 1f;
                var cell = (int)MathF.Floor((gv / segment) + phase);
                var gap = Unit(Hash((uint)cell + salt)) < 0.3f;
                if (gap)
                {
                    continue;
                }

                var edge = edgeBase + (0.08f * Lattice(cell, 0, salt + 1));
                for (var x = 0; x < _width; x++)
                {
                    var gu = (x + 0.5f - _vanishX) / (t * _width);
                    if (gu * s > -edge)
                    {
                        buildingShadow[(y * _width) + x] = 1f;
                    }
                }
            }

            foreach (var instance in _instances)
            {
                if (instance.Foot < 0 || instance.Size <= 0)
                {
                    continue;
                }

                switch (instance.Material)
                {
                    case Material.Vegetation:
                        {
                            var r = instance.Size;
                            Ellipse(objectShadow, instance.X - (s * _style.Uniform(0.6, 1.6) * r), instance.Foot, 1.4f * r, 0.35f * r, 1f);
                            break;
                        }

                    case Material.CarPaint:
                        Ellipse(objectShadow, instance.X - (s * 0.3f * instance.Size), instance.Foot - (0.01f * instance.Size), 0.65f * instance.Size, 0.09f * instance.Size, 1f);
                        break;
                    case Material.Clothing when instance.Size > 0:
                        Ellipse(objectShadow, instance.X - (s * 0.3f * instance.Size), instance.Foot, 0.35f * instance.Size, 0.05f * instance.Size, 1f);
                        break;
                    case Material.Pole:
                        {
                            var length = 0.6f * instance.Size;
                            for (var step = 0f; step <= length; step += 0.5f)
                            {
                                var px = (int)MathF.Floor(instance.X - (s * step));
                                var py = (int)MathF.Floor(instance.Foot + (0.2f * step));
                                if (px >= 0 && px < _width && py >= 0 && py < _height)
                                {
                                    objectShadow[(py * _width) + px] = 1f;
                                }
                            }

                            break;
                        }
                }
            }
        }
        else
        {
            // Overcast: soft ambient occlusion under cars.
            foreach (var instance in _instances)
            {
                if (instance.Material == Material.CarPaint && instance.Size > 0)
                {
                    Ellipse(objectShadow, instance.X, instance.Foot - (0.01f * instance.Size), 0.55f * instance.Size, 0.06f * instance.Size, 0.5f);
                }
            }
        }

        buildingShadow = SoftenMask(buildingShadow);
        objectShadow = SoftenMask(objectShadow);
        float[] sun = _sunny ? [1.08f, 1.03f, 0.94f] : [0.97f, 0.98f, 1.0f];
        float[] shade = [shadowLight * 0.86f * sun[0], shadowLight * 0.94f * sun[1], shadowLight * 1.16f * sun[2]];
        var buildingSalt = _salt + 60;
        for (var i = 0; i < n; i++)
        {
            var material = (Material)_material[i];
            if (material == Material.Sky)
            {
                continue;
            }

            var instance = _instances[_instance[i]];
            float amount;
            var isGround = material is Material.Road or Material.LaneMark or Material.Sidewalk or Material.Terrain
                || (_label[i] == Vegetation && instance.Foot < 0 && (i / _width) + 0.5f > _horizon);
            if (isGround)
            {
                amount = Math.Max(buildingShadow[i], objectShadow[i]);
            }
            else if (_label[i] == Building)
            {
                // A facade lies in the shadow of another building at random.
                var facade = material == Material.Window ? instance.Parent : _instance[i];
                amount = _sunny && Unit(Hash((uint)facade ^ buildingSalt)) < 0.25f ? 1f : 0f;
            }
            else if (instance.Foot >= 0 && material != Material.Vegetation)
            {
                // An object takes the building shadow at its foot point.
                var fx = Math.Clamp((int)instance.X, 0, _width - 1);
                var fy = Math.Clamp((int)instance.Foot, 0, _height - 1);
                amount = buildingShadow[(fy * _width) + fx];
            }
            else
            {
                amount = 0;
            }

            var k = 3 * i;
            for (var c = 0; c < 3; c++)
            {
                _rgb[k + c] *= sun[c] + ((shade[c] - sun[c]) * amount);
            }

            if (_sunny && material == Material.Vegetation && instance.Foot >= 0 && instance.Size > 0)
            {
                // Crowns are brighter on the sun side.
                var side = Math.Clamp((((i % _width) + 0.5f) - instance.X) / instance.Size, -1f, 1f);
                var f = 1 + (0.15f * s * side);
                _rgb[k] *= f;
                _rgb[k + 1] *= f;
                _rgb[k + 2] *= f;
            }
        }
    }

    private void Ellipse(float[] mask, float cx, float cy, float rx, float ry, float value)
    {
        rx = Math.Max(rx, 0.5f);
        ry = Math.Max(ry, 0.5f);
        var y0 = Math.Max(0, (int)MathF.Floor(cy - ry));
        var y1 = Math.Min(_height - 1, (int)MathF.Ceiling(cy + ry));
        var x0 = Math.Max(0, (int)MathF.Floor(cx - rx));
        var x1 = Math.Min(_width - 1, (int)MathF.Ceiling(cx + rx));
        for (var y = y0; y <= y1; y++)
        {
            for (var x = x0; x <= x1; x++)
            {
                var dx = (x + 0.5f - cx) / rx;
                var dy = (y + 0.5f - cy) / ry;
                if ((dx * dx) + (dy * dy) <= 1f)
                {
                    var i = (y * _width) + x;
                    mask[i] = Math.Max(mask[i], value);
                }
            }
        }
    }

    private float[] SoftenMask(float[] mask)
    {
        // A 3×3 box filter: soft shadow edges (penumbra).
        var result = new float[mask.Length];
        for (var y = 0; y < _height; y++)
        {
            for (var x = 0; x < _width; x++)
            {
                var sum = 0f;
                for (var dy = -1; dy <= 1; dy++)
                {
                    var yy = Math.Clamp(y + dy, 0, _height - 1);
                    for (var dx = -1; dx <= 1; dx++)
                    {
                        sum += mask[(yy * _width) + Math.Clamp(x + dx, 0, _width - 1)];
                    }
                }

                result[(y * _width) + x] = sum / 9f;
            }
        }

        return result;
    }

    private void ApplyWetRoad()
    {
        var salt = _salt + 70;
        var lit = (float[])_rgb.Clone();
        for (var y = 0; y < _height; y++)
        {
            var t = (y + 0.5f - _horizon) / (_height - _horizon);
            if (t <= 0)
            {
                continue;
            }

            var tc = Math.Max(t, 0.02f);
            var gv = (1f / tc) - 1f;
            var sheen = 0.45f * Square(1 - t);
            var mirror = Math.Clamp((int)MathF.Floor((2 * _horizon) - (y + 0.5f)), 0, _height - 1);
            for (var x = 0; x < _width; x++)
            {
                var i = (y * _width) + x;
                var material = (Material)_material[i];
                if (material is not (Material.Road or Material.LaneMark))
                {
                    continue;
                }

                var k = 3 * i;
                var gu = (x + 0.5f - _vanishX) / (tc * _width);
                var puddle = Noise(gu * 4f, gv * 0.5f, salt) > 0.3f;
                var m = 3 * ((mirror * _width) + x);
                for (var c = 0; c < 3; c++)
                {
                    var wet = (0.72f * _rgb[k + c]) + (sheen * WetSheen[c] * _skyHorizon[c]);
                    _rgb[k + c] = puddle ? (0.2f * wet) + (0.8f * 0.7f * lit[m + c]) : wet;
                }
            }
        }
    }

    // ---- Camera ----------------------------------------------------------------------------------------------------

    private void ApplyCamera(PhotorealStyleOptions o)
    {
        var vignetting = (float)o.Vignetting;
        var aberration = (float)o.ChromaticAberration;
        var blur = _style.Uniform(o.BlurSigmaMin, o.BlurSigmaMax) * _height / 64f;
        var motion = _style.Chance(o.MotionBlurProbability) ? _style.Uniform(0.3, 1.0) * (float)o.MotionBlurLength : 0f;
        var exposure = _style.Uniform(o.ExposureMin, o.ExposureMax);
        float[] balance = [_style.Uniform(1 - o.WhiteBalance, 1 + o.WhiteBalance), 1f, _style.Uniform(1 - o.WhiteBalance, 1 + o.WhiteBalance)];
        var gamma = _style.Uniform(0.85, 1.15);
        var read = _style.Uniform(o.ReadNoise / 3, o.ReadNoise);
        var shot = (float)o.ShotNoise;

        // Lens: vignetting, lateral chromatic aberration, defocus.
        float cx = 0.5f * _width, cy = 0.5f * _height;
        if (aberration > 0)
        {
            var source = (float[])_rgb.Clone();
            for (var y = 0; y < _height; y++)
            {
                for (var x = 0; x < _width; x++)
                {
                    var k = 3 * ((y * _width) + x);
                    var dx = x + 0.5f - cx;
                    var dy = y + 0.5f - cy;
                    _rgb[k] = Sample(source, cx + (dx / (1 + aberration)) - 0.5f, cy + (dy / (1 + aberration)) - 0.5f, 0);
                    _rgb[k + 2] = Sample(source, cx + (dx / (1 - aberration)) - 0.5f, cy + (dy / (1 - aberration)) - 0.5f, 2);
                }
            }
        }

        Blur(blur);
        if (motion > 0)
        {
            // Ego-motion: each pixel integrates along the ray from the vanishing point.
            var source = (float[])_rgb.Clone();
            for (var y = 0; y < _height; y++)
            {
                for (var x = 0; x < _width; x++)
                {
                    var k = 3 * ((y * _width) + x);
                    var dx = x + 0.5f - _vanishX;
                    var dy = y + 0.5f - _horizon;
                    float r = 0, g = 0, b = 0;
                    for (var tap = 0; tap < 5; tap++)
                    {
                        var a = motion * ((tap / 4f) - 0.5f);
                        var sx = x + (a * dx);
                        var sy = y + (a * dy);
                        r += Sample(source, sx, sy, 0);
                        g += Sample(source, sx, sy, 1);
                        b += Sample(source, sx, sy, 2);
                    }

                    _rgb[k] = r / 5;
                    _rgb[k + 1] = g / 5;
                    _rgb[k + 2] = b / 5;
                }
            }
        }

        // Sensor and processing: exposure, noise, white balance, tone curve with highlight roll-off.
        for (var y = 0; y < _height; y++)
        {
            var ny = ((y + 0.5f) / _height) - 0.5f;
            for (var x = 0; x < _width; x++)
            {
                var nx = ((x + 0.5f) / _width) - 0.5f;
                var lens = exposure * (1 - (vignetting * 2 * ((nx * nx) + (ny * ny))));
                var k = 3 * ((y * _width) + x);
                var (n0, n1) = _style.GaussianPair();
                var (n2, _) = _style.GaussianPair();
                ReadOnlySpan<float> noise = [n0, n1, n2];
                for (var c = 0; c < 3; c++)
                {
                    var v = Math.Max(0f, _rgb[k + c] * lens);
                    v += MathF.Sqrt((shot * v) + (read * read)) * noise[c];
                    v *= balance[c];
                    _rgb[k + c] = v < 0.75f ? v : 0.75f + (0.25f * MathF.Tanh((v - 0.75f) / 0.25f));
                }
            }
        }

        ApplyGamma(gamma);
    }

    private float Sample(float[] source, float x, float y, int channel)
    {
        x = Math.Clamp(x, 0f, _width - 1);
        y = Math.Clamp(y, 0f, _height - 1);
        var x0 = Math.Min((int)x, _width - 2);
        var y0 = Math.Min((int)y, _height - 2);
        var fx = x - x0;
        var fy = y - y0;
        var i = (3 * ((y0 * _width) + x0)) + channel;
        var top = source[i] + ((source[i + 3] - source[i]) * fx);
        var j = i + (3 * _width);
        var bottom = source[j] + ((source[j + 3] - source[j]) * fx);
        return top + ((bottom - top) * fy);
    }

    private void Blend(int k, float r, float g, float b, float amount)
    {
        _rgb[k] += (r - _rgb[k]) * amount;
        _rgb[k + 1] += (g - _rgb[k + 1]) * amount;
        _rgb[k + 2] += (b - _rgb[k + 2]) * amount;
    }

    // ---- Coordinate hashes -----------------------------------------------------------------------------------------

    private static float Square(float v) => v * v;

    private static float Fraction(float v) => v - MathF.Floor(v);

    private static float SmoothStep(float edge0, float edge1, float v)
    {
        var t = Math.Clamp((v - edge0) / (edge1 - edge0), 0f, 1f);
        return t * t * (3 - (2 * t));
    }

    private static uint Hash(uint x)
    {
        x ^= x >> 16;
        x *= 0x7FEB352Du;
        x ^= x >> 15;
        x *= 0x846CA68Bu;
        x ^= x >> 16;
        return x;
    }

    private static float Unit(uint h) => (h >> 8) * (1f / 16777216f);

    /// <summary>A value in [−1, 1) that depends only on the lattice point and the salt.</summary>
    private static float Lattice(int x, int y, uint salt) => (2f * Unit(Hash(((uint)x * 0x8DA6B343u) ^ ((uint)y * 0xD8163841u) ^ Hash(salt)))) - 1f;

    /// <summary>Smooth value noise in [−1, 1]: lattice values interpolated with a smoothstep.</summary>
    private static float Noise(float x, float y, uint salt)
    {
        var fx0 = MathF.Floor(x);
        var fy0 = MathF.Floor(y);
        var x0 = (int)fx0;
        var y0 = (int)fy0;
        var fx = x - fx0;
        var fy = y - fy0;
        fx = fx * fx * (3 - (2 * fx));
        fy = fy * fy * (3 - (2 * fy));
        var top = Lattice(x0, y0, salt) + ((Lattice(x0 + 1, y0, salt) - Lattice(x0, y0, salt)) * fx);
        var bottom = Lattice(x0, y0 + 1, salt) + ((Lattice(x0 + 1, y0 + 1, salt) - Lattice(x0, y0 + 1, salt)) * fx);
        return top + ((bottom - top) * fy);
    }
}
