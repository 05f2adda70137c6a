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
/// <see cref="CrossEntropyNormalization.ValidPixels"/> (0 when every pixel is ignored). Forward and backward together allocate one
/// tensor of the logits' size, which becomes their gradient. Stateless and thread-safe.
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
        var valid = labels.ne(ignoreIndex).unsqueeze(1);
        var safeLabels = labels.unsqueeze(1).masked_fill(valid.logical_not(), Scalars.Of(0));

        // The weights carry the denominator, so the backward pass scales each pixel once: 1/Z on the non-ignored pixels, 0 elsewhere.
        Tensor Weights(Tensor picked)
        {
            var weights = valid.to(picked.dtype);
            if (_options.Normalization == CrossEntropyNormalization.AllPixels)
            {
                using var pixelCount = Scalars.Create(labels.numel());
                return weights.div_(pixelCount);
            }

            return weights.div_(valid.sum().clamp_min(Scalars.Of(1)).to(picked.dtype));
        }

        var loss = PixelCrossEntropy.Compute(logits, safeLabels, Weights);
        return loss.MoveToOuterDisposeScope();
    }
}
