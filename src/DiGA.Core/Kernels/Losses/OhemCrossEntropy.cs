using DiGA.Core.Foundation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Kernels.Losses;

/// <summary>Online hard-example mining cross-entropy (the reference's SYNTHIA supervised loss).</summary>
/// <remarks>
/// Let <c>V</c> be the non-ignored pixels and <c>π_p = softmax(z_p)[y_p]</c>. With <c>π</c> sorted ascending over <c>V</c>,
/// <c>τ = max(π_sorted[min(MinKept, |V| − 1)], Threshold)</c> and the loss is the mean cross-entropy over the pixels of <c>V</c>
/// with <c>π_p &lt; τ</c> (strict). The whole batch is ranked at once, on the logits' device, without host synchronisation, by a
/// selection of the <c>MinKept + 1</c> smallest probabilities (<c>topk</c>) rather than a sort. Forward and backward together
/// allocate one tensor of the logits' size, which becomes their gradient.
/// When no pixel is kept the loss is 0, where the reference's mean over no pixel is NaN (and where every pixel is ignored, its
/// threshold lookup indexes an empty tensor and fails).
/// Stateless and thread-safe.
/// </remarks>
public sealed class OhemCrossEntropy : ISegmentationLoss
{
    private readonly OhemCrossEntropyOptions _options;

    /// <summary>Initialises the loss.</summary>
    /// <param name="options">The options; <see langword="null"/> uses the reference defaults (threshold 0.7, 100000 pixels).</param>
    /// <param name="logger">An optional logger for the configuration message.</param>
    public OhemCrossEntropy(OhemCrossEntropyOptions? options = null, ILogger<OhemCrossEntropy>? logger = null)
    {
        _options = options ?? new OhemCrossEntropyOptions();
        Guard.Options(_options, nameof(options));
        (logger ?? NullLogger<OhemCrossEntropy>.Instance).Created(nameof(OhemCrossEntropy), $"threshold {_options.Threshold}, min kept {_options.MinKept}, ignore index {_options.IgnoreIndex}");
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The shapes or the label dtype are wrong.</exception>
    public Tensor Compute(Tensor logits, Tensor labels)
    {
        LossValidation.Validate(logits, labels);
        using var scope = NewDisposeScope();
        using var ignoreIndex = Scalars.Create(_options.IgnoreIndex);
        var valid = labels.ne(ignoreIndex).unsqueeze(1);
        var safeLabels = labels.unsqueeze(1).masked_fill(valid.logical_not(), Scalars.Of(0));
        return PixelCrossEntropy.Compute(logits, safeLabels, picked => Weights(picked, valid)).MoveToOuterDisposeScope();
    }

    /// <summary>The per-pixel weights <c>1/|K|</c> on the kept pixels <c>K = {p ∈ V : π_p &lt; τ}</c>, 0 elsewhere.</summary>
    /// <param name="picked">The ground-truth log-probabilities <c>[N, 1, H, W]</c>.</param>
    /// <param name="valid">The non-ignored pixels <c>[N, 1, H, W]</c>.</param>
    private Tensor Weights(Tensor picked, Tensor valid)
    {
        // softmax(z)[y] = exp(log_softmax(z)[y]): reuses the gathered log-probabilities instead of a second pass over the logits.
        var probability = picked.exp();

        // τ needs the (min(MinKept, |V| − 1))-th smallest valid probability, not a full sort: ignored pixels are ranked at 2 (above every
        // probability), so the MinKept + 1 smallest entries hold that value as their largest entry below 2 (all of V when |V| ≤ MinKept).
        using var minimumThreshold = Scalars.Create(_options.Threshold);
        var ranked = where(valid, probability, full_like(probability, Scalars.Of(2.0))).flatten();
        var count = (int)Math.Min(_options.MinKept + 1L, ranked.numel());
        var (smallest, _) = ranked.topk(count, largest: false, sorted: false);
        var threshold = smallest.masked_fill(smallest.ge(Scalars.Of(2.0)), Scalars.Of(double.NegativeInfinity)).max().clamp_min(minimumThreshold);
        var kept = valid.logical_and(probability.lt(threshold));
        return kept.to(picked.dtype).div_(kept.sum().clamp_min(Scalars.Of(1)).to(picked.dtype));
    }
}
