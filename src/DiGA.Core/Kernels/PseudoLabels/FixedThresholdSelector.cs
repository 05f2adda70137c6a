using DiGA.Core.Foundation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Kernels.PseudoLabels;

/// <summary>A confidence-threshold baseline: keep the offline label where the teacher's maximum softmax probability reaches a fixed threshold.</summary>
/// <remarks>
/// The teacher logits are upsampled to the label size (bilinear, align corners) before the softmax. Offline labels of 255 are
/// never kept. Ignores features and centroids. Stateless and thread-safe; no gradients, no host synchronisation.
/// </remarks>
public sealed class FixedThresholdSelector : IPseudoLabelSelector
{
    private readonly FixedThresholdSelectorOptions _options;

    /// <summary>Initialises the selector.</summary>
    /// <param name="options">The options; <see langword="null"/> uses a threshold of 0.9.</param>
    /// <param name="logger">An optional logger for the configuration message.</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public FixedThresholdSelector(FixedThresholdSelectorOptions? options = null, ILogger<FixedThresholdSelector>? logger = null)
    {
        _options = options ?? new FixedThresholdSelectorOptions();
        Guard.Options(_options, nameof(options));
        (logger ?? NullLogger<FixedThresholdSelector>.Instance).Created(nameof(FixedThresholdSelector), $"threshold {_options.Threshold}");
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">A tensor is missing or has the wrong shape.</exception>
    public PseudoLabelSelection Select(in PseudoLabelArguments arguments)
    {
        SelectorValidation.Validate(arguments, needsFeatures: false);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var probabilities = nn.functional.softmax(SelectorValidation.Upsample(arguments.TeacherLogits, arguments.OfflineLabels), 1);
        var confidence = probabilities.max(1).values;
        using var threshold = Scalars.Create(_options.Threshold);
        return SelectorValidation.Compose(arguments.OfflineLabels, confidence.ge(threshold));
    }
}
