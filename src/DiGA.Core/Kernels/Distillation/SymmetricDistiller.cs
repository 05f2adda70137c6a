using DiGA.Core.Foundation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Kernels.Distillation;

/// <summary>The reference symmetric knowledge-distillation loss: soft-target cross-entropy across the two views.</summary>
/// <remarks>
/// With <c>p_T^v = softmax(z_T^v / T)</c> (detached) and <c>log q_S^v = log_softmax(z_S^v / T)</c> per pixel:
/// <c>L = T² · ( mean_p[−Σ_c p_T^orig · log q_S^mixed] + s · mean_p[−Σ_c p_T^mixed · log q_S^orig] )</c>.
/// The mean runs over all <c>N·H·W</c> pixels, or over the pixels of <see cref="DistillationArguments.ValidMask"/> when it is set
/// (0 when the mask is empty). Stateless and thread-safe; never disposes the arguments.
/// </remarks>
public sealed class SymmetricDistiller : ISymmetricDistiller
{
    private readonly SymmetricDistillationOptions _options;

    /// <summary>Initialises the distiller.</summary>
    /// <param name="options">The options; <see langword="null"/> uses the reference defaults (s = 0.5, T = 1).</param>
    /// <param name="logger">An optional logger for the configuration message.</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public SymmetricDistiller(SymmetricDistillationOptions? options = null, ILogger<SymmetricDistiller>? logger = null)
    {
        _options = options ?? new SymmetricDistillationOptions();
        Guard.Options(_options, nameof(options));
        (logger ?? NullLogger<SymmetricDistiller>.Instance).Created(nameof(SymmetricDistiller), $"reverse weight {_options.ReverseWeight}, temperature {_options.Temperature}");
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The logits are not four-dimensional, their shapes differ, or the mask does not match.</exception>
    public Tensor ComputeLoss(in DistillationArguments arguments)
    {
        Validate(arguments);
        using var scope = NewDisposeScope();
        var mask = arguments.ValidMask;
        var forward = PixelCrossEntropy(arguments.TeacherOriginal, arguments.StudentMixed);
        var reverse = PixelCrossEntropy(arguments.TeacherMixed, arguments.StudentOriginal);
        using var reverseWeight = Scalars.Create(_options.ReverseWeight);
        var perPixel = forward.add(reverse, reverseWeight);
        Tensor loss;
        if (mask is null)
        {
            loss = perPixel.mean();
        }
        else
        {
            var total = where(mask, perPixel, zeros_like(perPixel)).sum();
            loss = total.div(mask.sum().clamp_min(Scalars.Of(1)).to(total.dtype));
        }

        var temperature = _options.Temperature;
        if (temperature != 1.0)
        {
            using var squaredTemperature = Scalars.Create(temperature * temperature);
            loss = loss.mul(squaredTemperature);
        }

        return loss.MoveToOuterDisposeScope();
    }

    private Tensor PixelCrossEntropy(Tensor teacher, Tensor student)
    {
        var temperature = _options.Temperature;
        var teacherLogits = teacher.detach();
        var studentLogits = student;
        if (temperature != 1.0)
        {
            using var temperatureScalar = Scalars.Create(temperature);
            teacherLogits = teacherLogits.div(temperatureScalar);
            studentLogits = studentLogits.div(temperatureScalar);
        }

        var target = nn.functional.softmax(teacherLogits, 1);
        return target.mul(nn.functional.log_softmax(studentLogits, 1)).sum(1).neg();
    }

    private static void Validate(in DistillationArguments arguments)
    {
        var tensors = new[] { arguments.StudentOriginal, arguments.StudentMixed, arguments.TeacherOriginal, arguments.TeacherMixed };
        var names = new[] { nameof(arguments.StudentOriginal), nameof(arguments.StudentMixed), nameof(arguments.TeacherOriginal), nameof(arguments.TeacherMixed) };
        for (var i = 0; i < tensors.Length; i++)
        {
            if (tensors[i] is null)
            {
                throw new ArgumentException($"{names[i]} must not be null.", nameof(arguments));
            }

            if (tensors[i].dim() != 4)
            {
                throw new ArgumentException($"Expected {names[i]} [N, C, H, W], got [{string.Join(", ", tensors[i].shape)}].", nameof(arguments));
            }

            if (!tensors[i].shape.SequenceEqual(tensors[0].shape))
            {
                throw new ArgumentException(
                    $"{names[i]} has shape [{string.Join(", ", tensors[i].shape)}] but {names[0]} has [{string.Join(", ", tensors[0].shape)}]; all four logits must match.",
                    nameof(arguments));
            }
        }

        var mask = arguments.ValidMask;
        if (mask is not null)
        {
            var shape = tensors[0].shape;
            if (mask.dtype != ScalarType.Bool || mask.dim() != 3 || mask.shape[0] != shape[0] || mask.shape[1] != shape[2] || mask.shape[2] != shape[3])
            {
                throw new ArgumentException(
                    $"Expected {nameof(arguments.ValidMask)} bool [{shape[0]}, {shape[2]}, {shape[3]}], got {mask.dtype} [{string.Join(", ", mask.shape)}].",
                    nameof(arguments));
            }
        }
    }
}
