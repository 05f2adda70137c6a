using DiGA.Core.Foundation;
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

    public static Tensor Brightness(Tensor x, Tensor factor) => x.add(PerSample(factor).sub(Scalars.Of(1)), Scalars.One).clamp(Scalars.Of(0.0), Scalars.Of(1.0));

    public static Tensor Contrast(Tensor x, Tensor factor) => x.mul(PerSample(factor)).clamp(Scalars.Of(0.0), Scalars.Of(1.0));

    public static Tensor Saturation(Tensor hsv, Tensor factor)
    {
        var channels = hsv.unbind(1);
        var s = channels[1].mul(factor.reshape(-1, 1, 1)).clamp(Scalars.Of(0.0), Scalars.Of(1.0));
        return stack([channels[0], s, channels[2]], 1);
    }

    public static Tensor Hue(Tensor hsv, Tensor factor)
    {
        var channels = hsv.unbind(1);
        var h = channels[0].add(factor.reshape(-1, 1, 1).mul(Scalars.Of(TwoPi)), Scalars.One).fmod(Scalars.Of(TwoPi));
        return stack([h, channels[1], channels[2]], 1);
    }

    /// <remarks>
    /// Channel maxima, minima and the hue branch come from element-wise comparisons of the three channel planes, which
    /// give the same values as a reduction over the channel dimension (ties take the first channel, as its argmax does)
    /// at a fraction of the cost.
    /// </remarks>
    public static Tensor RgbToHsv(Tensor x)
    {
        using var scope = NewDisposeScope();
        var channels = x.unbind(1);
        var (r, g, b) = (channels[0], channels[1], channels[2]);
        var maxValue = r.maximum(g).maximum(b);
        var delta = maxValue.sub(r.minimum(g).minimum(b));
        var s = delta.div(maxValue.add(Scalars.Of(HsvEpsilon), Scalars.One));
        delta = where(delta.eq(Scalars.Of(0)), ones_like(delta), delta);
        var (rc, gc, bc) = (maxValue.sub(r), maxValue.sub(g), maxValue.sub(b));
        var h = where(
            r.eq(maxValue),
            bc.sub(gc),
            where(g.eq(maxValue), rc.sub(bc).add(delta.mul(Scalars.Of(2.0)), Scalars.One), gc.sub(rc).add(delta.mul(Scalars.Of(4.0)), Scalars.One)));
        h = h.div(delta).div(Scalars.Of(6.0)).remainder(Scalars.Of(1.0)).mul(Scalars.Of(TwoPi));
        return stack([h, s, maxValue], 1).MoveToOuterDisposeScope();
    }

    public static Tensor HsvToRgb(Tensor hsv)
    {
        using var scope = NewDisposeScope();
        var channels = hsv.unbind(1);
        var h = channels[0].div(Scalars.Of(TwoPi));
        var s = channels[1];
        var v = channels[2];
        var one = Scalars.Of(1.0);
        var six = Scalars.Of(6.0);
        var sextant = h.mul(six).floor().remainder(six);
        var f = h.mul(six).remainder(six).sub(sextant);
        var p = v.mul(s.neg().add(one, Scalars.One));
        var q = v.mul(f.mul(s).neg().add(one, Scalars.One));
        var t = v.mul(f.neg().add(one, Scalars.One).mul(s).neg().add(one, Scalars.One));

        // Per sextant 0…5, R takes v q p p t v, G takes t v v q p p and B takes p p t v v q.
        Tensor[] m =
        [
            sextant.eq(Scalars.Of(0)), sextant.eq(Scalars.Of(1)), sextant.eq(Scalars.Of(2)),
            sextant.eq(Scalars.Of(3)), sextant.eq(Scalars.Of(4)), sextant.eq(Scalars.Of(5)),
        ];
        var r = where(m[0].logical_or(m[5]), v, where(m[1], q, where(m[4], t, p)));
        var g = where(m[1].logical_or(m[2]), v, where(m[0], t, where(m[3], q, p)));
        var b = where(m[3].logical_or(m[4]), v, where(m[2], t, where(m[5], q, p)));
        return stack([r, g, b], 1).MoveToOuterDisposeScope();
    }

    /// <summary>Runs the four jitter operations in <paramref name="order"/>, each only once and the HSV ones through one conversion each way.</summary>
    /// <param name="x">The images <c>[N, 3, H, W]</c>; not modified.</param>
    /// <param name="brightness">Brightness factors <c>[N]</c>.</param>
    /// <param name="contrast">Contrast factors <c>[N]</c>.</param>
    /// <param name="saturation">Saturation factors <c>[N]</c>.</param>
    /// <param name="hue">Hue shifts <c>[N]</c> in turns.</param>
    /// <param name="order">The order, a permutation of 0 brightness, 1 contrast, 2 saturation, 3 hue.</param>
    /// <returns>A new tensor in the caller's dispose scope.</returns>
    public static Tensor ColorJitter(Tensor x, Tensor brightness, Tensor contrast, Tensor saturation, Tensor hue, IReadOnlyList<long> order)
    {
        var current = x;
        foreach (var op in order)
        {
            using var scope = NewDisposeScope();
            var next = op switch
            {
                0 => Brightness(current, brightness),
                1 => Contrast(current, contrast),
                2 => HsvToRgb(Saturation(RgbToHsv(current), saturation)),
                _ => HsvToRgb(Hue(RgbToHsv(current), hue)),
            };
            next.MoveToOuterDisposeScope();
            if (!ReferenceEquals(current, x))
            {
                current.Dispose();
            }

            current = next;
        }

        return current;
    }

    public static Tensor Grayscale(Tensor x)
    {
        var channels = x.unbind(1);
        var gray = channels[0].mul(Scalars.Of(0.299)).add(channels[1].mul(Scalars.Of(0.587)), Scalars.One).add(channels[2].mul(Scalars.Of(0.114)), Scalars.One);
        return stack([gray, gray, gray], 1);
    }

    public static Tensor GaussianBlur(Tensor x)
    {
        var taps = new[] { -1.0, 0.0, 1.0 }.Select(offset => Math.Exp(-(offset * offset) / 8.0)).ToArray();
        var sum = taps.Sum();
        var kernel1d = tensor(taps.Select(tap => (float)(tap / sum)).ToArray(), device: x.device).to(x.dtype);
        var kernel = kernel1d.unsqueeze(1).matmul(kernel1d.unsqueeze(0)).expand(x.shape[1], 1, 3, 3);
        return DepthwiseConvolution(nn.functional.pad(x, [1, 1, 1, 1], PaddingModes.Reflect), kernel);
    }

    public static Tensor Sharpness(Tensor x, Tensor factor)
    {
        var weights = tensor(new float[] { 1, 1, 1, 1, 5, 1, 1, 1, 1 }, device: x.device).to(x.dtype).div(Scalars.Of(13.0));
        var kernel = weights.reshape(1, 1, 3, 3).expand(x.shape[1], 1, 3, 3);
        var degenerate = DepthwiseConvolution(x, kernel).clamp(Scalars.Of(0.0), Scalars.Of(1.0));
        var interior = nn.functional.pad(ones_like(degenerate, ScalarType.Bool), [1, 1, 1, 1]);
        var result = where(interior, nn.functional.pad(degenerate, [1, 1, 1, 1]), x);
        return result.add(x.sub(result).mul(PerSample(factor)), Scalars.One);
    }

    /// <summary>Runs the whole sequence A (jitter → grayscale → blur → sharpness), each only on the samples its flags select.</summary>
    /// <remarks>Reads the flags and the jitter order to the host once (4N + 4 integers), as the reference does, so that no operation runs on a sample it does not apply to.</remarks>
    /// <param name="x">The images <c>[N, 3, H, W]</c>; not modified.</param>
    /// <param name="draws">The draws of this call.</param>
    /// <param name="sharpnessEnabled">Whether the sharpness step runs at all.</param>
    /// <returns>A new tensor, or <paramref name="x"/> itself when no operation fires.</returns>
    public static Tensor Apply(Tensor x, PhotometricDraws draws, bool sharpnessEnabled)
    {
        long[] plan;
        using (var flags = stack([draws.ApplyJitter, draws.ApplyGrayscale, draws.ApplyBlur, draws.ApplySharpness]).to(ScalarType.Int64).flatten())
        using (var packed = cat([flags, draws.Order]).cpu())
        {
            plan = packed.data<long>().ToArray();
        }

        var n = x.shape[0];
        var order = plan[(int)(4 * n)..];
        var current = OnSelected(x, plan, 0, n, (u, i) => ColorJitter(u, Take(draws.BrightnessFactor, i), Take(draws.ContrastFactor, i), Take(draws.SaturationFactor, i), Take(draws.HueFactor, i), order), x);
        current = OnSelected(current, plan, 1, n, (u, _) => Grayscale(u), x);
        current = OnSelected(current, plan, 2, n, (u, _) => GaussianBlur(u), x);
        return sharpnessEnabled ? OnSelected(current, plan, 3, n, (u, i) => Sharpness(u, Take(draws.SharpnessFactor, i)), x) : current;
    }

    /// <summary>The blend <c>β·Norm(A(x)) + (1 − β)·x</c> with <c>Norm(u) = (u − 0.5)/0.5</c>.</summary>
    public static Tensor Blend(Tensor x, Tensor augmented, double beta)
    {
        using var augmentedWeight = Scalars.Create(beta);
        using var inputWeight = Scalars.Create(1.0 - beta);
        return augmented.sub(Scalars.Of(0.5)).div(Scalars.Of(0.5)).mul(augmentedWeight).add(x.mul(inputWeight), Scalars.One);
    }

    /// <summary>A 3×3 depthwise convolution of <c>[N, C, H, W]</c> by <c>[C, 1, 3, 3]</c>, returned contiguous (NCHW).</summary>
    /// <remarks>
    /// Runs on a channels-last copy of the input: libtorch's NCHW depthwise path takes 40–70× longer once N &gt; 1
    /// (375 ms against 5.7 ms for 3 × 3 × 512 × 896 on 2 cores), and the channels-last kernel gives bit-identical output.
    /// </remarks>
    private static Tensor DepthwiseConvolution(Tensor input, Tensor kernel)
    {
        using var channelsLast = BlockAlignedConvolution.ChannelsLast(input);
        using var output = nn.functional.conv2d(channelsLast, kernel, groups: input.shape[1]);
        return output.contiguous();
    }

    private static Tensor PerSample(Tensor factor) => factor.reshape(-1, 1, 1, 1);

    /// <summary>
    /// Applies <paramref name="op"/> to the samples whose flag in row <paramref name="row"/> of <paramref name="plan"/> is set:
    /// to the whole batch when all are, to a gathered sub-batch when some are, not at all when none are. Disposes
    /// <paramref name="current"/> when it is replaced and is not the caller's <paramref name="input"/>.
    /// </summary>
    private static Tensor OnSelected(Tensor current, long[] plan, int row, long n, Func<Tensor, Tensor?, Tensor> op, Tensor input)
    {
        var selected = Enumerable.Range(0, (int)n).Where(i => plan[(row * n) + i] != 0).Select(i => (long)i).ToArray();
        if (selected.Length == 0)
        {
            return current;
        }

        Tensor result;
        using (var scope = NewDisposeScope())
        {
            if (selected.Length == n)
            {
                result = op(current, null);
            }
            else
            {
                var index = tensor(selected, device: current.device);
                result = current.index_copy(0, index, op(current.index_select(0, index), index));
            }

            result.MoveToOuterDisposeScope();
        }

        if (!ReferenceEquals(current, input))
        {
            current.Dispose();
        }

        return result;
    }

    /// <summary>The per-sample factors of the selected samples (all of them when <paramref name="index"/> is null).</summary>
    private static Tensor Take(Tensor factors, Tensor? index) => index is null ? factors : factors.index_select(0, index);
}
