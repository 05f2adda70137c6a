using DiGA.Core.Foundation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Translation;

/// <summary>
/// Training-free colour transfer (Reinhard et al., 2001): matches the per-channel mean and standard deviation of each
/// source image to those of a target image, in the decorrelated YCbCr space.
/// </summary>
/// <remarks>
/// Per source image: <c>y = (YCbCr(x) − μ_src) / σ_src · σ_tgt + μ_tgt</c>, back to RGB, clamped to [0, 255] and
/// renormalised. The target statistics come from a <see cref="ColorStatisticsBank"/>: a random target image per
/// source image, or the bank average (<see cref="ReinhardTranslatorOptions.Selection"/>). YCbCr (BT.601, full range)
/// replaces the paper's lαβ space: it is linear, cheap and decorrelates luminance from chroma well enough for natural
/// and rendered images. The translator owns the bank (disposing the translator disposes it) and holds no other state; it is
/// safe to share between threads.
/// </remarks>
public sealed class ReinhardTranslator : IDomainTranslator
{
    private const float MinimumStd = 1e-3f;
    private readonly ColorStatisticsBank _bank;
    private readonly ImageNormalization _normalization;
    private readonly TargetStyleSelection _selection;

    /// <summary>Creates a translator over fitted target statistics.</summary>
    /// <param name="bank">The target statistics; the translator takes ownership and disposes them.</param>
    /// <param name="options">The options; defaults when null. Read once.</param>
    /// <param name="logger">An optional logger.</param>
    public ReinhardTranslator(ColorStatisticsBank bank, ReinhardTranslatorOptions? options = null, ILogger<ReinhardTranslator>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(bank);
        options ??= new ReinhardTranslatorOptions();
        _bank = bank;
        _normalization = options.Normalization ?? throw new ArgumentException($"{nameof(ReinhardTranslatorOptions.Normalization)} must not be null.", nameof(options));
        _selection = options.Selection;
        if (!Enum.IsDefined(_selection))
        {
            throw new ArgumentException($"Unknown {nameof(TargetStyleSelection)} {_selection}.", nameof(options));
        }

        (logger ?? NullLogger<ReinhardTranslator>.Instance).LogDebug("Reinhard translator over {Count} target images, selection {Selection}.", bank.Count, _selection);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The images are not <c>[N, 3, H, W]</c> float, or a random style is requested without a generator.</exception>
    public Tensor Translate(in TranslationArguments arguments)
    {
        var images = arguments.SourceImages;
        Guard.Images(images, nameof(arguments));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var device = images.device;
        var batch = images.shape[0];
        var source = images.to(ScalarType.Float32);

        Tensor targetMean;
        Tensor targetStd;
        if (_selection == TargetStyleSelection.GlobalAverage)
        {
            targetMean = _bank.GlobalMean.to(device).reshape(1, 3, 1, 1);
            targetStd = _bank.GlobalStd.to(device).reshape(1, 3, 1, 1);
        }
        else
        {
            var indices = TranslationSupport.DrawIndices(_bank.Count, batch, device, arguments.Generator, nameof(arguments));
            targetMean = _bank.Means.to(device).index_select(0, indices).reshape(batch, 3, 1, 1);
            targetStd = _bank.Stds.to(device).index_select(0, indices).reshape(batch, 3, 1, 1);
        }

        var ycbcr = ColorSpace.RgbToYCbCr(_normalization.Denormalize(source));
        var (sourceStd, sourceMean) = std_mean(ycbcr, [2, 3], unbiased: false, keepdim: true);
        var transferred = ycbcr.sub_(sourceMean).div_(sourceStd.clamp_min_(Scalars.Of(MinimumStd))).mul_(targetStd).add_(targetMean, Scalars.One);
        var rgb = ColorSpace.YCbCrToRgb(transferred).clamp_(Scalars.Of(0), Scalars.Of(255));
        return _normalization.Normalize(rgb).MoveToOuterDisposeScope();
    }

    /// <summary>Disposes the bank the translator owns.</summary>
    public void Dispose() => _bank.Dispose();
}
