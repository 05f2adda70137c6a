using DiGA.Core.Foundation;

namespace DiGA.Core.Data.Synthetic;

/// <summary>Renders one procedural street scene (labels in the Cityscapes train-id space, RGB bytes) from a seed.</summary>
/// <remarks>
/// Everything is drawn straight into managed arrays: a label map, a linear float RGB canvas, a per-pixel distance (for
/// haze) and an emissive mask (for night lighting). Objects are drawn back to front. The result depends only on the
/// options, the split and the index, so sets can be generated in parallel without changing a byte.
/// </remarks>
internal sealed partial class SceneRenderer
{
    internal const byte Road = 0;
    internal const byte Sidewalk = 1;
    internal const byte Building = 2;
    internal const byte Pole = 5;
    internal const byte Vegetation = 8;
    internal const byte Terrain = 9;
    internal const byte Sky = 10;
    internal const byte Person = 11;
    internal const byte Car = 13;

    // Source ("game-like", saturated) and real ("desaturated") palettes, [0, 1] RGB, indexed by Material.
    private static readonly float[][] SourcePalette =
    [
        [0.50f, 0.40f, 0.55f], [0.90f, 0.55f, 0.80f], [0.75f, 0.25f, 0.20f], [0.55f, 0.80f, 0.95f], [0.15f, 0.75f, 0.15f],
        [0.55f, 0.30f, 0.10f], [0.70f, 0.90f, 0.30f], [0.35f, 0.60f, 0.95f], [0.55f, 0.80f, 0.95f], [0.08f, 0.08f, 0.08f],
        [0.95f, 0.75f, 0.60f], [0.80f, 0.80f, 0.85f], [0.15f, 0.30f, 0.95f], [1.00f, 1.00f, 1.00f],
    ];

    private static readonly float[][] RealPalette =
    [
        [0.33f, 0.33f, 0.34f], [0.55f, 0.53f, 0.50f], [0.52f, 0.50f, 0.48f], [0.18f, 0.20f, 0.23f], [0.30f, 0.36f, 0.18f],
        [0.30f, 0.25f, 0.20f], [0.45f, 0.42f, 0.30f], [0.80f, 0.83f, 0.86f], [0.15f, 0.18f, 0.22f], [0.07f, 0.07f, 0.07f],
        [0.75f, 0.60f, 0.50f], [0.40f, 0.40f, 0.40f], [0.30f, 0.35f, 0.55f], [0.85f, 0.85f, 0.82f],
    ];

    private static readonly float[][] SourceCarColors = [[0.90f, 0.10f, 0.10f], [0.10f, 0.20f, 0.90f], [0.95f, 0.85f, 0.10f], [0.10f, 0.70f, 0.30f], [0.95f, 0.95f, 0.95f]];
    private static readonly float[][] RealCarColors = [[0.45f, 0.20f, 0.20f], [0.25f, 0.27f, 0.35f], [0.55f, 0.55f, 0.57f], [0.35f, 0.35f, 0.38f], [0.70f, 0.70f, 0.70f]];
    private static readonly float[][] SourceClothes = [[0.90f, 0.30f, 0.10f], [0.20f, 0.40f, 0.90f], [0.80f, 0.10f, 0.60f], [0.10f, 0.80f, 0.80f]];
    private static readonly float[][] RealClothes = [[0.15f, 0.15f, 0.18f], [0.25f, 0.22f, 0.20f], [0.20f, 0.25f, 0.35f], [0.35f, 0.30f, 0.28f]];

    private readonly int _height;
    private readonly int _width;
    private readonly byte[] _label;
    private readonly float[] _rgb;
    private readonly float[] _distance;
    private readonly bool[] _emissive;
    private readonly byte[] _material;
    private readonly int[] _instance;
    private readonly List<Instance> _instances = [new Instance(Material.Sky)];
    private readonly List<Light> _lights = [];
    private readonly bool _isTarget;
    private readonly double _paletteMix;
    private readonly double _jitter;
    private readonly SyntheticBenchmarkOptions _options;
    private readonly bool _photoreal;
    private Pcg32 _rng;
    private float _horizon;
    private float _vanishX;
    private float _roadHalf;
    private float _sidewalk;
    private float[] _roadColor = [0f, 0f, 0f];

    private SceneRenderer(SyntheticBenchmarkOptions options, SyntheticSplit split, int index)
    {
        _options = options;
        _height = options.Height;
        _width = options.Width;
        var n = _height * _width;
        _label = new byte[n];
        _rgb = new float[n * 3];
        _distance = new float[n];
        _emissive = new bool[n];
        _material = new byte[n];
        _instance = new int[n];
        _isTarget = split != SyntheticSplit.Source;
        _photoreal = _isTarget && options.TargetStyle == TargetStyle.Photoreal;
        _paletteMix = _isTarget && !_photoreal ? options.TargetAppearance.PaletteMix : 0.0;
        _jitter = _isTarget ? options.TargetAppearance.InstanceJitter : options.SourceInstanceJitter;
        _rng = new Pcg32(Pcg32.Hash((ulong)(uint)options.Seed, (ulong)split + 1, (ulong)index));
        if (_photoreal)
        {
            // The style's own draws come from a second stream, so the layout (and the labels) stay those of every other style.
            _style = new Pcg32(Pcg32.Hash((ulong)(uint)options.Seed, (ulong)split + 1, (ulong)index, StyleStream));
            InitializePhotoreal(options.Photoreal);
        }
    }

    private enum Material
    {
        Road,
        Sidewalk,
        Building,
        Window,
        Vegetation,
        Trunk,
        Terrain,
        Sky,
        Glass,
        Wheel,
        Skin,
        Pole,
        Sign,
        LaneMark,
        CarPaint,
        Clothing,
    }

    /// <summary>Renders sample <paramref name="index"/> of <paramref name="split"/>.</summary>
    public static SegmentationSample Render(SyntheticBenchmarkOptions options, SyntheticSplit split, int index)
    {
        var renderer = new SceneRenderer(options, split, index);
        renderer.DrawScene(split == SyntheticSplit.Source ? options.SourceLayout : options.TargetLayout);
        var image = !renderer._isTarget ? renderer.FinishSource() : renderer._photoreal ? renderer.FinishPhotoreal() : renderer.FinishTarget();
        var prefix = split switch
        {
            SyntheticSplit.Source => "source",
            SyntheticSplit.TargetTrain => "target_train",
            _ => "target_val",
        };
        return new SegmentationSample($"{prefix}_{index:D6}", renderer._width, renderer._height, image, renderer._label);
    }

    private void DrawScene(SceneLayoutOptions layout)
    {
        float h = _height, w = _width;
        var horizon = _rng.Uniform(layout.HorizonMin, layout.HorizonMax) * h;
        var vanishX = w * (0.5f + _rng.Uniform(-0.08, 0.08));
        var roadHalf = _rng.Uniform(layout.RoadHalfWidthMin, layout.RoadHalfWidthMax) * w;
        var sidewalk = _rng.Uniform(layout.SidewalkWidthMin, layout.SidewalkWidthMax) * w;
        var terrain = _rng.Chance(layout.TerrainProbability) ? _rng.Uniform(0.05, 0.15) * w : 0f;
        var scale = (float)layout.ObjectScale;
        (_horizon, _vanishX, _roadHalf, _sidewalk) = (horizon, vanishX, roadHalf, sidewalk);

        // Sky.
        var sky = InstanceColor(Material.Sky);
        FillRect(0, 0, w, horizon, Sky, sky, float.PositiveInfinity);

        // Building columns (sky above / vegetation below where a column has no building).
        var x = 0f;
        while (x < w)
        {
            var columnWidth = _rng.Uniform(0.06, 0.18) * w;
            var x1 = Math.Min(w, x + columnWidth);
            if (_rng.Chance(layout.BuildingProbability))
            {
                var top = horizon * _rng.Uniform(0.05, 0.85);
                var distance = _rng.Uniform(3.0, 8.0);
                var facade = InstanceColor(Material.Building);
                _instances[facade.Instance].SetExtent(x, top, x1, horizon);
                FillRect(x, top, x1, h, Building, facade, distance);
                DrawWindows(x, top, x1, horizon, distance);
            }
            else
            {
                FillRect(x, horizon, x1, h, Vegetation, InstanceColor(Material.Vegetation), 2f);
            }

            x = x1;
        }

        DrawGround(horizon, vanishX, roadHalf, sidewalk, terrain);

        // Objects, collected with their relative depth t (1 = bottom row) and drawn back to front.
        var objects = new List<(float T, int Order, Action<float> Draw)>();
        var order = 0;
        var trees = _rng.Next(layout.TreesMin, layout.TreesMax + 1);
        for (var i = 0; i < trees; i++)
        {
            var t = _rng.Uniform(0.15, 0.85);
            var side = _rng.Chance(0.5) ? -1f : 1f;
            var offset = _rng.Uniform(0.0, 0.1) * w;
            objects.Add((t, order++, tt => DrawTree(vanishX + (side * (((roadHalf + sidewalk) * tt) + (offset * tt))), FootRow(horizon, tt), tt, scale)));
        }

        var poles = _rng.Next(layout.PolesMin, layout.PolesMax + 1);
        for (var i = 0; i < poles; i++)
        {
            var t = _rng.Uniform(0.2, 0.95);
            var side = _rng.Chance(0.5) ? -1f : 1f;
            var hasSign = _rng.Chance(0.5);
            var lamp = _rng.Chance(_options.Night.LampProbability);
            objects.Add((t, order++, tt => DrawPole(vanishX + (side * (roadHalf + (0.85f * sidewalk)) * tt), FootRow(horizon, tt), tt, scale, side, hasSign, lamp)));
        }

        var cars = _rng.Poisson(layout.CarMean);
        for (var i = 0; i < cars; i++)
        {
            var t = _rng.Uniform(0.2, 0.95);
            var lateral = _rng.Uniform(-0.75, 0.75);
            var color = _rng.Next(0, SourceCarColors.Length);
            var headlights = _rng.Chance(0.5);
            objects.Add((t, order++, tt => DrawCar(vanishX + (lateral * roadHalf * tt), FootRow(horizon, tt), tt, scale, color, headlights)));
        }

        var persons = _rng.Poisson(layout.PersonMean);
        for (var i = 0; i < persons; i++)
        {
            var t = _rng.Uniform(0.2, 0.95);
            var side = _rng.Chance(0.5) ? -1f : 1f;
            var across = _rng.Uniform(0.1, 0.9);
            var shirt = _rng.Next(0, SourceClothes.Length);
            var trousers = _rng.Next(0, SourceClothes.Length);
            objects.Add((t, order++, tt => DrawPerson(vanishX + (side * (roadHalf + (across * sidewalk)) * tt), FootRow(horizon, tt), tt, scale, shirt, trousers)));
        }

        objects.Sort((a, b) => a.T != b.T ? a.T.CompareTo(b.T) : a.Order.CompareTo(b.Order));
        foreach (var (t, _, draw) in objects)
        {
            draw(t);
        }
    }

    private float FootRow(float horizon, float t) => horizon + (t * (_height - horizon));

    private static float DistanceOf(float t) => (1f / Math.Max(t, 1e-3f)) - 1f;

    private void DrawWindows(float x0, float top, float x1, float horizon, float distance)
    {
        var spacingY = Math.Max(3f, 0.07f * _height);
        var spacingX = Math.Max(3f, 0.035f * _width);
        var glass = InstanceColor(Material.Window);
        var night = _isTarget && _options.TargetStyle == TargetStyle.Night;
        var building = _instances.Count - 2;
        for (var y = top + (0.5f * spacingY); y + (0.6f * spacingY) < horizon; y += spacingY)
        {
            for (var x = x0 + (0.4f * spacingX); x + (0.6f * spacingX) < x1; x += spacingX)
            {
                var lit = _rng.Chance(_options.Night.LitWindowProbability);
                if (night && lit)
                {
                    float[] warm = [1.0f, 0.85f, 0.5f];
                    FillRect(x, y, x + (0.5f * spacingX), y + (0.5f * spacingY), Building, new Paint(warm, Material.Window, 0), distance, emissive: true);
                    _lights.Add(new Light(x + (0.25f * spacingX), y + (0.25f * spacingY), 0.6f * spacingX, 0.15f, warm, 0.4f));
                }
                else
                {
                    // Each window is its own instance (same colour, no extra draw) so the photo-like style can vary them.
                    var window = glass with { Instance = NewInstance(Material.Window) };
                    _instances[window.Instance].SetExtent(x, y, x + (0.5f * spacingX), y + (0.5f * spacingY));
                    _instances[window.Instance].Parent = building;
                    FillRect(x, y, x + (0.5f * spacingX), y + (0.5f * spacingY), Building, window, distance);
                }
            }
        }
    }

    private void DrawGround(float horizon, float vanishX, float roadHalf, float sidewalk, float terrain)
    {
        var road = InstanceColor(Material.Road);
        _roadColor = road.Color;
        var walk = InstanceColor(Material.Sidewalk);
        var grass = InstanceColor(Material.Terrain);
        var mark = InstanceColor(Material.LaneMark);
        var dashPhase = _rng.Uniform(0.0, 1.0);
        for (var y = 0; y < _height; y++)
        {
            var cy = y + 0.5f;
            if (cy <= horizon)
            {
                continue;
            }

            var t = (cy - horizon) / (_height - horizon);
            var distance = DistanceOf(t);
            var dashed = ((distance * 1.5f) + dashPhase) % 1f < 0.5f;
            var markHalf = Math.Max(0.5f, 0.01f * _width * t);
            for (var x = 0; x < _width; x++)
            {
                var i = (y * _width) + x;
                var dx = Math.Abs(x + 0.5f - vanishX);
                _distance[i] = distance;
                if (dx < roadHalf * t)
                {
                    Set(i, Road, dashed && dx < markHalf ? mark : road);
                }
                else if (dx < (roadHalf + sidewalk) * t)
                {
                    Set(i, Sidewalk, walk);
                }
                else if (dx < (roadHalf + sidewalk + terrain) * t)
                {
                    Set(i, Terrain, grass);
                }
            }
        }
    }

    private void DrawTree(float x, float foot, float t, float scale)
    {
        var k = t * scale;
        var distance = DistanceOf(t);
        var trunkHeight = 0.22f * _height * k;
        var trunkHalf = Math.Max(0.5f, 0.006f * _width * k);
        var trunk = InstanceColor(Material.Trunk);
        _instances[trunk.Instance].SetObject(x, foot, trunkHalf);
        FillRect(x - trunkHalf, foot - trunkHeight, x + trunkHalf, foot, Vegetation, trunk, distance);
        var crown = InstanceColor(Material.Vegetation);
        var r = 0.09f * _height * k;
        var top = foot - trunkHeight;
        _instances[crown.Instance].SetObject(x, foot, r);
        _instances[crown.Instance].SetExtent(x - (1.5f * r), top - (1.6f * r), x + (1.5f * r), top + (0.8f * r));
        FillDisc(x, top - (0.6f * r), r, Vegetation, crown, distance);
        FillDisc(x - (0.7f * r), top, 0.8f * r, Vegetation, crown, distance);
        FillDisc(x + (0.7f * r), top, 0.8f * r, Vegetation, crown, distance);
    }

    private void DrawPole(float x, float foot, float t, float scale, float side, bool hasSign, bool lamp)
    {
        var k = t * scale;
        var distance = DistanceOf(t);
        var half = Math.Max(0.5f, 0.008f * _width * k);
        var top = foot - (0.5f * _height * k);
        var pole = InstanceColor(Material.Pole);
        _instances[pole.Instance].SetObject(x, foot, foot - top);
        FillRect(x - half, top, x + half, foot, Pole, pole, distance);
        if (hasSign)
        {
            var signWidth = 0.035f * _width * k;
            var signTop = top + (0.1f * _height * k);
            var x0 = side > 0 ? x - signWidth : x;
            var sign = InstanceColor(Material.Sign);
            _instances[sign.Instance].SetObject(x, foot, signWidth);
            FillRect(x0, signTop, x0 + signWidth, signTop + (0.05f * _height * k), Pole, sign, distance);
        }

        if (lamp)
        {
            var night = _options.Night;
            float[] warm = [1.0f, 0.85f, 0.55f];
            _lights.Add(new Light(x - (side * 0.03f * _width * k), top, (float)night.LampRadius * _height * k, (float)night.LampIntensity, warm, (float)night.GlowStrength));
        }
    }

    private void DrawCar(float x, float foot, float t, float scale, int colorIndex, bool headlights)
    {
        var k = t * scale;
        var distance = DistanceOf(t);
        var w = 0.30f * _width * k;
        var body = Mix(SourceCarColors[colorIndex], RealCarColors[colorIndex], Material.CarPaint);
        _instances[body.Instance].SetObject(x, foot, w);
        FillRect(x - (0.5f * w), foot - (0.3f * w), x + (0.5f * w), foot - (0.05f * w), Car, body, distance);
        FillRect(x - (0.32f * w), foot - (0.5f * w), x + (0.32f * w), foot - (0.3f * w), Car, body, distance);
        var glass = InstanceColor(Material.Glass);
        _instances[glass.Instance].SetObject(x, foot, w);
        FillRect(x - (0.28f * w), foot - (0.46f * w), x - (0.02f * w), foot - (0.32f * w), Car, glass, distance);
        FillRect(x + (0.02f * w), foot - (0.46f * w), x + (0.28f * w), foot - (0.32f * w), Car, glass, distance);
        var wheel = InstanceColor(Material.Wheel);
        _instances[wheel.Instance].SetObject(x, foot, w);
        FillDisc(x - (0.3f * w), foot - (0.08f * w), 0.08f * w, Car, wheel, distance);
        FillDisc(x + (0.3f * w), foot - (0.08f * w), 0.08f * w, Car, wheel, distance);
        var night = _options.Night;
        float[] color = headlights ? [1.0f, 0.95f, 0.8f] : [1.0f, 0.15f, 0.1f];
        var intensity = (float)night.CarLightIntensity * (headlights ? 1f : 0.4f);
        foreach (var sx in (ReadOnlySpan<float>)[-0.4f, 0.4f])
        {
            _lights.Add(new Light(x + (sx * w), foot - (0.2f * w), 0.25f * w, intensity, color, (float)night.GlowStrength));
        }
    }

    private void DrawPerson(float x, float foot, float t, float scale, int shirt, int trousers)
    {
        var k = t * scale;
        var distance = DistanceOf(t);
        var hp = 0.55f * _height * k;
        var legs = Mix(SourceClothes[trousers], RealClothes[trousers], Material.Clothing);
        _instances[legs.Instance].SetObject(x, foot, hp);
        var legHalf = Math.Max(0.5f, 0.05f * hp);
        FillRect(x - (0.07f * hp) - legHalf, foot - (0.45f * hp), x - (0.07f * hp) + legHalf, foot, Person, legs, distance);
        FillRect(x + (0.07f * hp) - legHalf, foot - (0.45f * hp), x + (0.07f * hp) + legHalf, foot, Person, legs, distance);
        var top = Mix(SourceClothes[shirt], RealClothes[shirt], Material.Clothing);
        _instances[top.Instance].SetObject(x, foot, hp);
        FillRect(x - (0.14f * hp), foot - (0.8f * hp), x + (0.14f * hp), foot - (0.43f * hp), Person, top, distance);
        var skin = InstanceColor(Material.Skin);
        _instances[skin.Instance].SetObject(x, foot, hp);
        FillDisc(x, foot - (0.89f * hp), Math.Max(0.5f, 0.09f * hp), Person, skin, distance);
    }

    private Paint InstanceColor(Material material) => Mix(SourcePalette[(int)material], RealPalette[(int)material], material);

    private Paint Mix(float[] source, float[] real, Material material)
    {
        var color = new float[3];
        for (var c = 0; c < 3; c++)
        {
            var baseValue = ((1 - _paletteMix) * source[c]) + (_paletteMix * real[c]);
            color[c] = (float)(baseValue * (1 + _rng.Uniform(-_jitter, _jitter)));
        }

        var instance = NewInstance(material);
        if (_photoreal)
        {
            // The jitter draws above keep the layout stream unchanged; the colour comes from the style's own stream.
            color = PhotorealColor(source, material, _instances[instance]);
        }

        return new Paint(color, material, instance);
    }

    private int NewInstance(Material material)
    {
        _instances.Add(new Instance(material));
        return _instances.Count - 1;
    }

    private void Set(int i, byte label, Paint paint)
    {
        var color = paint.Color;
        _label[i] = label;
        _rgb[3 * i] = color[0];
        _rgb[(3 * i) + 1] = color[1];
        _rgb[(3 * i) + 2] = color[2];
        _emissive[i] = false;
        _material[i] = (byte)paint.Material;
        _instance[i] = paint.Instance;
    }

    private void FillRect(float x0, float y0, float x1, float y1, byte label, Paint color, float distance, bool emissive = false)
    {
        var ix0 = Math.Max(0, (int)MathF.Round(x0));
        var ix1 = Math.Min(_width, Math.Max((int)MathF.Round(x0) + 1, (int)MathF.Round(x1)));
        var iy0 = Math.Max(0, (int)MathF.Round(y0));
        var iy1 = Math.Min(_height, Math.Max((int)MathF.Round(y0) + 1, (int)MathF.Round(y1)));
        for (var y = iy0; y < iy1; y++)
        {
            for (var x = ix0; x < ix1; x++)
            {
                var i = (y * _width) + x;
                Set(i, label, color);
                _distance[i] = distance;
                _emissive[i] = emissive;
            }
        }
    }

    private void FillDisc(float cx, float cy, float r, byte label, Paint color, float distance)
    {
        r = Math.Max(r, 0.5f);
        var iy0 = Math.Max(0, (int)MathF.Floor(cy - r));
        var iy1 = Math.Min(_height - 1, (int)MathF.Ceiling(cy + r));
        var ix0 = Math.Max(0, (int)MathF.Floor(cx - r));
        var ix1 = Math.Min(_width - 1, (int)MathF.Ceiling(cx + r));
        var r2 = r * r;
        for (var y = iy0; y <= iy1; y++)
        {
            for (var x = ix0; x <= ix1; x++)
            {
                float dx = x + 0.5f - cx, dy = y + 0.5f - cy;
                if ((dx * dx) + (dy * dy) <= r2)
                {
                    var i = (y * _width) + x;
                    Set(i, label, color);
                    _distance[i] = distance;
                }
            }
        }
    }

    private byte[] FinishSource()
    {
        var noise = (float)_options.SourcePixelNoise;
        for (var i = 0; i < _rgb.Length; i++)
        {
            _rgb[i] += noise * ((2f * _rng.NextFloat()) - 1f);
        }

        return Quantize();
    }

    private byte[] FinishTarget()
    {
        var a = _options.TargetAppearance;
        ApplyTexture((float)a.TextureStrength, (float)a.PixelNoise);
        var style = _options.TargetStyle;
        if (style == TargetStyle.Fog)
        {
            ApplyFog(_options.Fog);
        }

        if (style == TargetStyle.Night)
        {
            ApplyNight(_options.Night);
        }

        ApplyIllumination(a, includeBrightness: style != TargetStyle.Night);
        ApplyGamma(_rng.Uniform(a.GammaMin, a.GammaMax));

        Blur(_rng.Uniform(a.BlurSigmaMin, a.BlurSigmaMax) * _height / 64f);
        var sigma = style == TargetStyle.Night ? (float)_options.Night.SensorNoise : _rng.Uniform(a.SensorNoiseMin, a.SensorNoiseMax);
        for (var i = 0; i + 1 < _rgb.Length; i += 2)
        {
            var (first, second) = _rng.GaussianPair();
            _rgb[i] += sigma * first;
            _rgb[i + 1] += sigma * second;
        }

        return Quantize();
    }

    private void ApplyTexture(float strength, float pixelNoise)
    {
        var field = ValueNoise();
        for (var i = 0; i < _label.Length; i++)
        {
            var amplitude = _label[i] switch
            {
                Vegetation => 0.35f,
                Terrain => 0.30f,
                Road or Sidewalk or Building => 0.12f,
                Sky => 0.05f,
                _ => 0.06f,
            };
            var factor = 1f + (strength * amplitude * field[i]);
            for (var c = 0; c < 3; c++)
            {
                _rgb[(3 * i) + c] = (_rgb[(3 * i) + c] * factor) + (pixelNoise * ((2f * _rng.NextFloat()) - 1f));
            }
        }
    }

    private void ApplyGamma(float gamma)
    {
        // x^gamma on [0, 1] through a 1025-entry table with linear interpolation (max error far below one grey level).
        const int Steps = 1024;
        Span<float> table = stackalloc float[Steps + 1];
        for (var k = 0; k <= Steps; k++)
        {
            table[k] = MathF.Pow(k / (float)Steps, gamma);
        }

        for (var i = 0; i < _rgb.Length; i++)
        {
            var x = Math.Clamp(_rgb[i], 0f, 1f) * Steps;
            var k = Math.Min((int)x, Steps - 1);
            var f = x - k;
            _rgb[i] = table[k] + (f * (table[k + 1] - table[k]));
        }
    }

    private float[] ValueNoise()
    {
        var field = new float[_height * _width];
        ReadOnlySpan<(int Divisor, float Weight)> octaves = [(32, 0.5f), (16, 0.3f), (8, 0.2f)];
        foreach (var (divisor, weight) in octaves)
        {
            var cell = Math.Max(2f, _height / (float)divisor * 4f);
            var gw = (int)(_width / cell) + 2;
            var gh = (int)(_height / cell) + 2;
            var grid = new float[gw * gh];
            for (var i = 0; i < grid.Length; i++)
            {
                grid[i] = _rng.Uniform(-1.0, 1.0);
            }

            for (var y = 0; y < _height; y++)
            {
                var gy = y / cell;
                var y0 = (int)gy;
                var fy = gy - y0;
                for (var x = 0; x < _width; x++)
                {
                    var gx = x / cell;
                    var x0 = (int)gx;
                    var fx = gx - x0;
                    var top = (grid[(y0 * gw) + x0] * (1 - fx)) + (grid[(y0 * gw) + x0 + 1] * fx);
                    var bottom = (grid[((y0 + 1) * gw) + x0] * (1 - fx)) + (grid[((y0 + 1) * gw) + x0 + 1] * fx);
                    field[(y * _width) + x] += weight * ((top * (1 - fy)) + (bottom * fy));
                }
            }
        }

        return field;
    }

    private void ApplyFog(FogStyleOptions fog)
    {
        var density = _rng.Uniform(fog.DensityMin, fog.DensityMax);
        float[] haze = [(float)fog.HazeRed, (float)fog.HazeGreen, (float)fog.HazeBlue];
        for (var i = 0; i < _distance.Length; i++)
        {
            var d = _distance[i];
            var weight = (float)(fog.MaxHaze * (float.IsPositiveInfinity(d) ? 1.0 : 1.0 - Math.Exp(-density * d)));
            for (var c = 0; c < 3; c++)
            {
                _rgb[(3 * i) + c] = ((1 - weight) * _rgb[(3 * i) + c]) + (weight * haze[c]);
            }
        }
    }

    private void ApplyNight(NightStyleOptions night)
    {
        var n = _height * _width;
        var light = new float[n * 3];
        var glow = new float[n * 3];
        float[] ambient = [(float)(night.Ambient * night.CastRed), (float)(night.Ambient * night.CastGreen), (float)(night.Ambient * night.CastBlue)];
        for (var i = 0; i < n; i++)
        {
            light[3 * i] = ambient[0];
            light[(3 * i) + 1] = ambient[1];
            light[(3 * i) + 2] = ambient[2];
        }

        foreach (var l in _lights)
        {
            var radius = Math.Max(1f, l.Radius);
            var reach = 3f * radius;
            var glowRadius = Math.Max(0.75f, 0.25f * radius);
            var y0 = Math.Max(0, (int)(l.Y - reach));
            var y1 = Math.Min(_height - 1, (int)(l.Y + reach));
            var x0 = Math.Max(0, (int)(l.X - reach));
            var x1 = Math.Min(_width - 1, (int)(l.X + reach));
            // Gaussians are separable: exp(−(dx² + dy²)/2r²) = exp(−dx²/2r²) · exp(−dy²/2r²).
            var poolX = new float[x1 - x0 + 1];
            var haloX = new float[x1 - x0 + 1];
            for (var x = x0; x <= x1; x++)
            {
                var dx = x + 0.5f - l.X;
                poolX[x - x0] = MathF.Exp(-(dx * dx) / (2 * radius * radius));
                haloX[x - x0] = MathF.Exp(-(dx * dx) / (2 * glowRadius * glowRadius));
            }

            for (var y = y0; y <= y1; y++)
            {
                var dy = y + 0.5f - l.Y;
                var poolY = l.Intensity * MathF.Exp(-(dy * dy) / (2 * radius * radius));
                var haloY = l.Glow * MathF.Exp(-(dy * dy) / (2 * glowRadius * glowRadius));
                for (var x = x0; x <= x1; x++)
                {
                    var pool = poolY * poolX[x - x0];
                    var halo = haloY * haloX[x - x0];
                    var i = (y * _width) + x;
                    for (var c = 0; c < 3; c++)
                    {
                        light[(3 * i) + c] += pool * l.Color[c];
                        glow[(3 * i) + c] += halo * l.Color[c];
                    }
                }
            }
        }

        for (var i = 0; i < n; i++)
        {
            for (var c = 0; c < 3; c++)
            {
                var k = (3 * i) + c;
                _rgb[k] = (_emissive[i] ? _rgb[k] : _rgb[k] * light[k]) + glow[k];
            }
        }
    }

    private void ApplyIllumination(TargetAppearanceOptions a, bool includeBrightness)
    {
        var brightness = includeBrightness ? _rng.Uniform(a.BrightnessMin, a.BrightnessMax) : 1f;
        var gradientY = includeBrightness ? _rng.Uniform(-a.GradientStrength, a.GradientStrength) : 0f;
        var gradientX = includeBrightness ? _rng.Uniform(-a.GradientStrength, a.GradientStrength) : 0f;
        float[] cast = [_rng.Uniform(a.ColorCastMin, a.ColorCastMax), _rng.Uniform(a.ColorCastMin, a.ColorCastMax), _rng.Uniform(a.ColorCastMin, a.ColorCastMax)];
        if (!includeBrightness)
        {
            cast = [1f, 1f, 1f];
        }

        var vignetting = (float)a.Vignetting;
        for (var y = 0; y < _height; y++)
        {
            var ny = ((y + 0.5f) / _height) - 0.5f;
            for (var x = 0; x < _width; x++)
            {
                var nx = ((x + 0.5f) / _width) - 0.5f;
                var factor = brightness * (1 + (2 * gradientY * ny) + (2 * gradientX * nx)) * (1 - (vignetting * 2 * ((nx * nx) + (ny * ny))));
                var i = (y * _width) + x;
                for (var c = 0; c < 3; c++)
                {
                    _rgb[(3 * i) + c] *= factor * cast[c];
                }
            }
        }
    }

    private void Blur(float sigma)
    {
        if (sigma < 0.2f)
        {
            return;
        }

        var radius = (int)MathF.Ceiling(3 * sigma);
        var kernel = new float[(2 * radius) + 1];
        var sum = 0f;
        for (var k = -radius; k <= radius; k++)
        {
            kernel[k + radius] = MathF.Exp(-(k * k) / (2 * sigma * sigma));
            sum += kernel[k + radius];
        }

        for (var k = 0; k < kernel.Length; k++)
        {
            kernel[k] /= sum;
        }

        var temp = new float[_rgb.Length];
        for (var y = 0; y < _height; y++)
        {
            for (var x = 0; x < _width; x++)
            {
                float r = 0, g = 0, b = 0;
                for (var k = -radius; k <= radius; k++)
                {
                    var j = 3 * ((y * _width) + Math.Clamp(x + k, 0, _width - 1));
                    var wk = kernel[k + radius];
                    r += wk * _rgb[j];
                    g += wk * _rgb[j + 1];
                    b += wk * _rgb[j + 2];
                }

                var o = 3 * ((y * _width) + x);
                temp[o] = r;
                temp[o + 1] = g;
                temp[o + 2] = b;
            }
        }

        for (var y = 0; y < _height; y++)
        {
            for (var x = 0; x < _width; x++)
            {
                float r = 0, g = 0, b = 0;
                for (var k = -radius; k <= radius; k++)
                {
                    var j = 3 * ((Math.Clamp(y + k, 0, _height - 1) * _width) + x);
                    var wk = kernel[k + radius];
                    r += wk * temp[j];
                    g += wk * temp[j + 1];
                    b += wk * temp[j + 2];
                }

                var o = 3 * ((y * _width) + x);
                _rgb[o] = r;
                _rgb[o + 1] = g;
                _rgb[o + 2] = b;
            }
        }
    }

    private byte[] Quantize()
    {
        var bytes = new byte[_rgb.Length];
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)Math.Clamp((int)MathF.Round(_rgb[i] * 255f), 0, 255);
        }

        return bytes;
    }

    private readonly record struct Light(float X, float Y, float Radius, float Intensity, float[] Color, float Glow);

    /// <summary>A colour with the material and instance it belongs to.</summary>
    private readonly record struct Paint(float[] Color, Material Material, int Instance);

    /// <summary>What the photo-like style needs to know about one drawn instance.</summary>
    private sealed class Instance(Material material)
    {
        public Material Material { get; } = material;

        /// <summary>Gets or sets the catalogue entry (facade kind, car colour, …).</summary>
        public int Kind { get; set; }

        /// <summary>Gets or sets a per-instance texture salt.</summary>
        public uint Salt { get; set; }

        /// <summary>Gets or sets the palette shift the instance's colour was drawn with.</summary>
        public float Shift { get; set; }

        /// <summary>Gets or sets the instance this one belongs to (a window's building), or 0.</summary>
        public int Parent { get; set; }

        public float X0 { get; private set; }

        public float Y0 { get; private set; }

        public float X1 { get; private set; }

        public float Y1 { get; private set; }

        /// <summary>Gets the column of an object's foot point.</summary>
        public float X { get; private set; }

        /// <summary>Gets the row of an object's foot point (-1 when it stands nowhere).</summary>
        public float Foot { get; private set; } = -1;

        /// <summary>Gets the object's size in pixels (car width, person height, crown radius, pole height).</summary>
        public float Size { get; private set; }

        public void SetExtent(float x0, float y0, float x1, float y1) => (X0, Y0, X1, Y1) = (x0, y0, x1, y1);

        public void SetObject(float x, float foot, float size) => (X, Foot, Size) = (x, foot, size);
    }
}
