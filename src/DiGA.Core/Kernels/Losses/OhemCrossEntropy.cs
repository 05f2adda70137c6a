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
/// with <c>π_p &lt; τ</c> (strict). The whole batch is ranked at once, on the logits' device, without host synchronisation.
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
        var valid = labels.ne(ignoreIndex).flatten();
        var safeLabels = labels.masked_fill(labels.eq(ignoreIndex), Scalars.Of(0)).unsqueeze(1);
        var pixelLoss = nn.functional.log_softmax(logits, 1).gather(1, safeLabels).flatten().neg();

        Tensor kept;
        using (no_grad())
        {
            // softmax(z)[y] = exp(log_softmax(z)[y]): reuses the gathered log-probabilities instead of a second pass over the logits.
            var probability = pixelLoss.detach().neg().exp();
            // Ignored pixels sort after every valid one, so the first |V| sorted entries are the valid probabilities.
            using var minKept = Scalars.Create(_options.MinKept);
            using var minimumThreshold = Scalars.Create(_options.Threshold);
            var (sorted, _) = where(valid, probability, full_like(probability, Scalars.Of(2.0))).sort(0, false, false);
            var validCount = valid.sum();
            var index = minimum(validCount.sub(Scalars.Of(1)), full_like(validCount, minKept)).clamp_min(Scalars.Of(0)).reshape(1);
            var threshold = sorted.gather(0, index).clamp_min(minimumThreshold);
            kept = valid.logical_and(probability.lt(threshold));
        }

        var total = where(kept, pixelLoss, zeros_like(pixelLoss)).sum();
        return total.div(kept.sum().clamp_min(Scalars.Of(1)).to(total.dtype)).MoveToOuterDisposeScope();
    }
}
