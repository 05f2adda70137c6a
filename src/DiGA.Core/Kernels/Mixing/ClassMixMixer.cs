using DiGA.Core.Foundation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Kernels.Mixing;

/// <summary>The reference ClassMix: pastes a random half of the foreground's classes, plus its ignore region, onto the background.</summary>
/// <remarks>
/// <c>images = M·foreground + (1 − M)·background</c> with <c>M = </c><see cref="ClassMixMask.Create"/> on the foreground labels.
/// When <see cref="CrossDomainMixArguments.BackgroundLabels"/> is set, <c>labels = foreground label where M, else background label</c>
/// (the self-training ClassMix); otherwise <see cref="MixedBatch.Labels"/> is <see langword="null"/> and the mixed image keeps the
/// foreground labels (the warm-up CrDoMix, where both images share the geometry). Stateless apart from its options; thread-safe
/// as long as each thread passes its own generator.
/// </remarks>
public sealed class ClassMixMixer : ICrossDomainMixer
{
    private readonly ClassMixOptions _options;
    private readonly ClassChoiceSource _chooseClasses;

    /// <summary>Initialises the mixer.</summary>
    /// <param name="options">The options; <see langword="null"/> uses the defaults.</param>
    /// <param name="logger">An optional logger for the configuration message.</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public ClassMixMixer(ClassMixOptions? options = null, ILogger<ClassMixMixer>? logger = null)
        : this(options, ClassMixMask.DrawClasses, logger)
    {
    }

    /// <summary>Initialises the mixer with another source of its class subsets.</summary>
    /// <param name="options">The options; <see langword="null"/> uses the defaults.</param>
    /// <param name="chooseClasses">Called once per <see cref="Mix"/> call for the classes kept per image; a source that replays
    /// recorded choices makes a call reproduce another implementation's call exactly (stage-level parity tests).</param>
    /// <param name="logger">An optional logger for the configuration message.</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    internal ClassMixMixer(ClassMixOptions? options, ClassChoiceSource chooseClasses, ILogger<ClassMixMixer>? logger = null)
    {
        _options = options ?? new ClassMixOptions();
        Guard.Options(_options, nameof(options));
        _chooseClasses = chooseClasses;
        (logger ?? NullLogger<ClassMixMixer>.Instance).Created(nameof(ClassMixMixer), $"ignore index {_options.IgnoreIndex}");
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">A tensor is missing, has the wrong shape or dtype, or the generator is missing.</exception>
    public MixedBatch Mix(in CrossDomainMixArguments arguments)
    {
        Validate(arguments);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var mask = ClassMixMask.FromClasses(arguments.ForegroundLabels, _chooseClasses(arguments.ForegroundLabels, arguments.Generator!), _options.IgnoreIndex);
        var images = ClassMixMask.ComposeImages(mask, arguments.Foreground, arguments.Background);
        var labels = arguments.BackgroundLabels is { } backgroundLabels
            ? where(mask, arguments.ForegroundLabels, backgroundLabels).MoveToOuterDisposeScope()
            : null;
        return new MixedBatch(images.MoveToOuterDisposeScope(), mask.MoveToOuterDisposeScope(), labels);
    }

    private static void Validate(in CrossDomainMixArguments arguments)
    {
        if (arguments.Foreground is null || arguments.Background is null || arguments.ForegroundLabels is null)
        {
            throw new ArgumentException("Foreground, ForegroundLabels and Background are required.", nameof(arguments));
        }

        if (arguments.Generator is null)
        {
            throw new ArgumentException("A random generator is required to draw the class subsets.", nameof(arguments));
        }

        var foreground = arguments.Foreground;
        if (foreground.dim() != 4)
        {
            throw new ArgumentException($"Expected Foreground [N, C, H, W], got [{string.Join(", ", foreground.shape)}].", nameof(arguments));
        }

        if (!arguments.Background.shape.SequenceEqual(foreground.shape))
        {
            throw new ArgumentException(
                $"Background [{string.Join(", ", arguments.Background.shape)}] must match Foreground [{string.Join(", ", foreground.shape)}].", nameof(arguments));
        }

        long[] labelShape = [foreground.shape[0], foreground.shape[2], foreground.shape[3]];
        var message = LabelProblem(arguments.ForegroundLabels, labelShape, nameof(arguments.ForegroundLabels))
            ?? (arguments.BackgroundLabels is { } backgroundLabels ? LabelProblem(backgroundLabels, labelShape, nameof(arguments.BackgroundLabels)) : null);
        if (message is not null)
        {
            throw new ArgumentException(message, nameof(arguments));
        }
    }

    private static string? LabelProblem(Tensor labels, long[] shape, string name) =>
        labels.dtype != ScalarType.Int64 || !labels.shape.SequenceEqual(shape)
            ? $"Expected {name} int64 [{string.Join(", ", shape)}], got {labels.dtype} [{string.Join(", ", labels.shape)}]."
            : null;
}

/// <summary>Chooses the classes a <see cref="ClassMixMixer"/> call keeps.</summary>
/// <param name="labels">The foreground labels <c>[N, H, W]</c>, int64, values in <c>[0, 255]</c>.</param>
/// <param name="generator">The call's generator.</param>
/// <returns>The chosen values <c>[N, 256]</c>, bool (see <see cref="ClassMixMask.DrawClasses"/>), in the caller's dispose scope.</returns>
internal delegate Tensor ClassChoiceSource(Tensor labels, Generator generator);
