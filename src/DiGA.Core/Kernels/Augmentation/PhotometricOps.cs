using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Kernels.Augmentation;

/// <summary>
/// The kornia 0.5.8 photometric operations on <c>[N, 3, H, W]</c> float tensors, channel 0 taken as "R", with per-sample factors
/// <c>[N]</c>. They are applied to whatever range the input has (the reference feeds normalised BGR tensors), with kornia's clamps.
/// </summary>
internal static class PhotometricOps
{
    private const double TwoPi = 2.0 * Math.PI;
    private const double HsvEpsilon = 1e-6;

    public static Tensor Brightness(Tensor x, Tensor factor) => x.add(PerSample(factor).sub(1)).clamp(0.0, 1.0);

    public static Tensor Contrast(Tensor x, Tensor factor) => x.mul(PerSample(factor)).clamp(0.0, 1.0);

    public static Tensor Saturation(Tensor hsv, Tensor factor)
    {
        var channels = hsv.unbind(1);
        var s = channels[1].mul(factor.reshape(-1, 1, 1)).clamp(0.0, 1.0);
        return stack([channels[0], s, channels[2]], 1);
    }

    public static Tensor Hue(Tensor hsv, Tensor factor)
    {
        var channels = hsv.unbind(1);
        var h = channels[0].add(factor.reshape(-1, 1, 1).mul(TwoPi)).fmod(TwoPi);
        return stack([h, channels[1], channels[2]], 1);
    }

    public static Tensor RgbToHsv(Tensor x)
    {
        var (maxValue, argMax) = x.max(1);
        var minValue = x.min(1).values;
        var delta = maxValue.sub(minValue);
        var v = maxValue;
        var s = delta.div(maxValue.add(HsvEpsilon));
        delta = where(delta.eq(0), ones_like(delta), delta);
        var distances = maxValue.unsqueeze(1).sub(x).unbind(1);
        var (rc, gc, bc) = (distances[0], distances[1], distances[2]);
        var h1 = bc.sub(gc);
        var h2 = rc.sub(bc).add(delta.mul(2.0));
        var h3 = gc.sub(rc).add(delta.mul(4.0));
        var h = stack([h1, h2, h3], 1).div(delta.unsqueeze(1)).gather(1, argMax.unsqueeze(1)).squeeze(1);
        h = h.div(6.0).remainder(1.0).mul(TwoPi);
        return stack([h, s, v], 1);
    }

    public static Tensor HsvToRgb(Tensor hsv)
    {
        var channels = hsv.unbind(1);
        var h = channels[0].div(TwoPi);
        var s = channels[1];
        var v = channels[2];
        var sextant = h.mul(6.0).floor().remainder(6.0);
        var f = h.mul(6.0).remainder(6.0).sub(sextant);
        var p = v.mul(s.neg().add(1.0));
        var q = v.mul(f.mul(s).neg().add(1.0));
        var t = v.mul(f.neg().add(1.0).mul(s).neg().add(1.0));
        var index = sextant.to(ScalarType.Int64);
        var indices = stack([index, index.add(6), index.add(12)], 1);
        var table = stack([v, q, p, p, t, v, t, v, v, q, p, p, p, p, t, v, v, q], 1);
        return table.gather(1, indices);
    }

    /// <summary>Runs the four jitter operations in <paramref name="order"/> without reading it on the host.</summary>
    /// <remarks>
    /// Each of the four steps computes every operation and keeps the one the order names, so the order stays on the device. The two
    /// HSV operations share one conversion each way: the step's HSV tensor gets the saturation change only when the step is the
    /// saturation step and the hue change only when it is the hue step, then goes back to RGB once.
    /// </remarks>
    public static Tensor ColorJitter(Tensor x, Tensor brightness, Tensor contrast, Tensor saturation, Tensor hue, Tensor order)
    {
        using var scope = NewDisposeScope();
        var current = x;
        for (var step = 0; step < 4; step++)
        {
            var op = order[step];
            var hsv = RgbToHsv(current);
            var hsvStep = where(op.eq(2), Saturation(hsv, saturation), where(op.eq(3), Hue(hsv, hue), hsv));
            current = where(op.eq(0), Brightness(current, brightness),
                where(op.eq(1), Contrast(current, contrast), HsvToRgb(hsvStep)));
        }

        return current.MoveToOuterDisposeScope();
    }

    public static Tensor Grayscale(Tensor x)
    {
        var channels = x.unbind(1);
        var gray = channels[0].mul(0.299).add(channels[1].mul(0.587)).add(channels[2].mul(0.114));
        return stack([gray, gray, gray], 1);
    }

    public static Tensor GaussianBlur(Tensor x)
    {
        var taps = new[] { -1.0, 0.0, 1.0 }.Select(offset => Math.Exp(-(offset * offset) / 8.0)).ToArray();
        var sum = taps.Sum();
        var kernel1d = tensor(taps.Select(tap => (float)(tap / sum)).ToArray(), device: x.device).to(x.dtype);
        var kernel = kernel1d.unsqueeze(1).matmul(kernel1d.unsqueeze(0)).expand(x.shape[1], 1, 3, 3);
        var padded = nn.functional.pad(x, [1, 1, 1, 1], PaddingModes.Reflect);
        return nn.functional.conv2d(padded, kernel, groups: x.shape[1]);
    }

    public static Tensor Sharpness(Tensor x, Tensor factor)
    {
        var weights = tensor(new float[] { 1, 1, 1, 1, 5, 1, 1, 1, 1 }, device: x.device).to(x.dtype).div(13.0);
        var kernel = weights.reshape(1, 1, 3, 3).expand(x.shape[1], 1, 3, 3);
        var degenerate = nn.functional.conv2d(x, kernel, groups: x.shape[1]).clamp(0.0, 1.0);
        var interior = nn.functional.pad(ones_like(degenerate, ScalarType.Bool), [1, 1, 1, 1]);
        var result = where(interior, nn.functional.pad(degenerate, [1, 1, 1, 1]), x);
        return result.add(x.sub(result).mul(PerSample(factor)));
    }

    /// <summary>Runs the whole sequence A (jitter → grayscale → blur → sharpness), each on the samples its flags select.</summary>
    public static Tensor Apply(Tensor x, PhotometricDraws draws, bool sharpnessEnabled)
    {
        var current = Select(draws.ApplyJitter, ColorJitter(x, draws.BrightnessFactor, draws.ContrastFactor, draws.SaturationFactor, draws.HueFactor, draws.Order), x);
        current = Select(draws.ApplyGrayscale, Grayscale(current), current);
        current = Select(draws.ApplyBlur, GaussianBlur(current), current);
        if (sharpnessEnabled)
        {
            current = Select(draws.ApplySharpness, Sharpness(current, draws.SharpnessFactor), current);
        }

        return current;
    }

    /// <summary>The blend <c>β·Norm(A(x)) + (1 − β)·x</c> with <c>Norm(u) = (u − 0.5)/0.5</c>.</summary>
    public static Tensor Blend(Tensor x, Tensor augmented, double beta) => augmented.sub(0.5).div(0.5).mul(beta).add(x.mul(1.0 - beta));

    private static Tensor PerSample(Tensor factor) => factor.reshape(-1, 1, 1, 1);

    private static Tensor Select(Tensor flags, Tensor transformed, Tensor original) => where(flags.reshape(-1, 1, 1, 1), transformed, original);
}
