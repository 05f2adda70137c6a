using DiGA.Core.Foundation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Kernels.PseudoLabels;

/// <summary>A class-balanced (CBST-style) baseline: one confidence threshold per class, set from the batch's own predictions.</summary>
/// <remarks>
/// The teacher logits are upsampled to the label size (bilinear, align corners) and turned into a confidence and a predicted class
/// per pixel. For a class k predicted on <c>n_k</c> pixels of the batch, the threshold <c>τ_k</c> is the confidence of its
/// <c>⌈p·n_k⌉</c>-th most confident pixel; a pixel is kept when its confidence reaches the threshold of its predicted class and its
/// offline label is not 255. Rare classes thus keep as large a share as frequent ones. All classes are ranked at once with two
/// sorts over the batch's pixels: no per-class loop, no host synchronisation. Stateless and thread-safe.
/// </remarks>
public sealed class ClassBalancedSelector : IPseudoLabelSelector
{
    private readonly ClassBalancedSelectorOptions _options;

    /// <summary>Initialises the selector.</summary>
    /// <param name="options">The options; <see langword="null"/> keeps the top half of every class.</param>
    /// <param name="logger">An optional logger for the configuration message.</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public ClassBalancedSelector(ClassBalancedSelectorOptions? options = null, ILogger<ClassBalancedSelector>? logger = null)
    {
        _options = options ?? new ClassBalancedSelectorOptions();
        Guard.Options(_options, nameof(options));
        (logger ?? NullLogger<ClassBalancedSelector>.Instance).Created(nameof(ClassBalancedSelector), $"keep fraction {_options.KeepFraction}");
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">A tensor is missing or has the wrong shape.</exception>
    public PseudoLabelSelection Select(in PseudoLabelArguments arguments)
    {
        SelectorValidation.Validate(arguments, needsFeatures: false);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var classCount = arguments.TeacherLogits.shape[1];
        var probabilities = nn.functional.softmax(SelectorValidation.Upsample(arguments.TeacherLogits, arguments.OfflineLabels), 1);
        var (confidence, predicted) = probabilities.max(1);
        var thresholds = ClassThresholds(confidence.flatten(), predicted.flatten(), classCount, _options.KeepFraction);
        var keep = confidence.ge(thresholds.gather(0, predicted.flatten()).reshape(confidence.shape));
        return SelectorValidation.Compose(arguments.OfflineLabels, keep);
    }

    /// <summary>The per-class thresholds <c>[C]</c> from pixel confidences and predicted classes <c>[M]</c>.</summary>
    internal static Tensor ClassThresholds(Tensor confidence, Tensor predicted, long classCount, double keepFraction)
    {
        // Sort by confidence (descending), then stably by class: pixels grouped by class, most confident first in each group.
        var byConfidence = confidence.argsort(0, descending: true);
        var (_, byClass) = predicted.gather(0, byConfidence).sort(0, false, true);
        var sortedConfidence = confidence.gather(0, byConfidence.gather(0, byClass));
        var counts = zeros(classCount, ScalarType.Int64, confidence.device).scatter_add_(0, predicted, ones_like(predicted));
        var starts = counts.cumsum(0).sub(counts);
        var rank = counts.to(ScalarType.Float64).mul(keepFraction).ceil().to(ScalarType.Int64).sub(1).clamp_min(0);
        var index = starts.add(rank).clamp(0, confidence.shape[0] - 1);
        return sortedConfidence.gather(0, index);
    }
}
