using DiGA.Core.Foundation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Kernels.PseudoLabels;

/// <summary>
/// A class-balanced baseline following CBST (class-balanced self-training, Zou et al., ECCV 2018): one confidence threshold per
/// class, set from the batch's own predictions, and the class-normalised argmax as the teacher's pseudo-label.
/// </summary>
/// <remarks>
/// <para>
/// The teacher logits are upsampled to the label size (bilinear, align corners) before the softmax, giving probabilities
/// <c>p_k</c>, a predicted class <c>argmax_k p_k</c> and a confidence <c>max_k p_k</c> per pixel. For a class k predicted on
/// <c>n_k</c> pixels of the batch, the threshold <c>τ_k</c> is the confidence of its <c>⌊p·n_k⌋</c>-th most confident pixel
/// (p = <see cref="ClassBalancedSelectorOptions.KeepFraction"/>), or 1 when <c>⌊p·n_k⌋ = 0</c> or the class is not predicted.
/// CBST's pseudo-label is <c>argmax_k p_k/τ_k</c> where that ratio reaches 1 (unlabelled elsewhere), so a pixel may take a class
/// other than its most probable one when that class has a lower threshold. The offline label is kept where it equals CBST's
/// label (and is not 255); where the offline labels are the teacher's own CBST labels, the selection is CBST's pseudo-label map.
/// </para>
/// <para>
/// The released CBST code ranks the confidences of the whole target set once per round (every 4th pixel of each class) and
/// grows p from 0.2 to 0.5 over its rounds; this selector ranks the pixels of each batch, online, with a fixed p. All classes are
/// ranked at once with two sorts over the batch's pixels: no per-class loop, no host synchronisation. Stateless and thread-safe.
/// </para>
/// </remarks>
public sealed class ClassBalancedSelector : IPseudoLabelSelector
{
    private readonly ClassBalancedSelectorOptions _options;

    /// <summary>Initialises the selector.</summary>
    /// <param name="options">The options; <see langword="null"/> uses p = 0.5.</param>
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

        // p_k/τ_k ≥ 1 exactly when p_k ≥ τ_k: IEEE division is correctly rounded and 1 is representable.
        var (ratio, label) = probabilities.div(thresholds.reshape(1, -1, 1, 1)).max(1);
        return SelectorValidation.Compose(arguments.OfflineLabels, ratio.ge(Scalars.Of(1.0)).logical_and(label.eq(arguments.OfflineLabels)));
    }

    /// <summary>The per-class thresholds <c>[C]</c> from pixel confidences and predicted classes <c>[M]</c>: CBST's <c>⌊p·n_k⌋</c>-th largest confidence, or 1.</summary>
    internal static Tensor ClassThresholds(Tensor confidence, Tensor predicted, long classCount, double keepFraction)
    {
        // Sort by confidence (descending), then stably by class: pixels grouped by class, most confident first in each group.
        var byConfidence = confidence.argsort(0, descending: true);
        var (_, byClass) = predicted.gather(0, byConfidence).sort(0, false, true);
        var sortedConfidence = confidence.gather(0, byConfidence.gather(0, byClass));
        var counts = zeros(classCount, ScalarType.Int64, confidence.device).scatter_add_(0, predicted, ones_like(predicted));
        var starts = counts.cumsum(0).sub(counts);
        using var fraction = Scalars.Create(keepFraction);
        using var lastIndex = Scalars.Create(confidence.shape[0] - 1);
        var rank = counts.to(ScalarType.Float64).mul(fraction).floor().to(ScalarType.Int64);
        var picked = sortedConfidence.gather(0, starts.add(rank, Scalars.One).sub(Scalars.Of(1)).clamp(Scalars.Of(0), lastIndex));
        return where(rank.gt(Scalars.Of(0)), picked, ones_like(picked));
    }
}
