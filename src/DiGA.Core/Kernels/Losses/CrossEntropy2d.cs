using DiGA.Core.Foundation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Kernels.Losses;

/// <summary>The reference segmentation cross-entropy: the summed loss of non-ignored pixels divided by all pixels.</summary>
/// <remarks>
/// <c>L = Σ_{p : y_p ≠ ignore} −log softmax(z_p)[y_p] / Z</c>, with <c>Z = N·H·W</c> for <see cref="CrossEntropyNormalization.AllPixels"/>
/// (the reference, which down-weights crops with many ignored pixels) or the number of non-ignored pixels for
/// <see cref="CrossEntropyNormalization.ValidPixels"/> (0 when every pixel is ignored). Stateless and thread-safe.
/// </remarks>
public sealed class CrossEntropy2d : ISegmentationLoss
{
    private readonly CrossEntropyOptions _options;

    /// <summary>Initialises the loss.</summary>
    /// <param name="options">The options; <see langword="null"/> uses the reference defaults.</param>
    /// <param name="logger">An optional logger for the configuration message.</param>
    public CrossEntropy2d(CrossEntropyOptions? options = null, ILogger<CrossEntropy2d>? logger = null)
    {
        _options = options ?? new CrossEntropyOptions();
        Guard.Options(_options, nameof(options));
        (logger ?? NullLogger<CrossEntropy2d>.Instance).Created(nameof(CrossEntropy2d), $"normalization {_options.Normalization}, ignore index {_options.IgnoreIndex}");
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The shapes or the label dtype are wrong.</exception>
    public Tensor Compute(Tensor logits, Tensor labels)
    {
        LossValidation.Validate(logits, labels);
        using var scope = NewDisposeScope();
        using var ignoreIndex = Scalars.Create(_options.IgnoreIndex);
        using var pixelCount = Scalars.Create(labels.numel());
        var valid = labels.ne(ignoreIndex);
        var safeLabels = labels.masked_fill(valid.logical_not(), Scalars.Of(0));
        var logProbabilities = nn.functional.log_softmax(logits, 1);
        var picked = logProbabilities.gather(1, safeLabels.unsqueeze(1)).squeeze(1);
        var total = where(valid, picked, zeros_like(picked)).sum().neg();
        var loss = _options.Normalization == CrossEntropyNormalization.AllPixels
            ? total.div(pixelCount)
            : total.div(valid.sum().clamp_min(Scalars.Of(1)).to(total.dtype));
        return loss.MoveToOuterDisposeScope();
    }
}
