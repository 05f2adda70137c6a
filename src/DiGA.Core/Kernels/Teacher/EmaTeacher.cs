using DiGA.Core.Foundation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Kernels.Teacher;

/// <summary>The mean teacher: an exponential moving average of the student's parameters.</summary>
/// <remarks>
/// At iteration i (from 0), before the forward pass: <c>θ_T ← α_i·θ_T + (1 − α_i)·θ_S</c> with <c>α_i = min(1 − 1/(i + 1), cap)</c>,
/// so the teacher is the running mean of the student iterates until the cap takes over. The update runs in place under
/// <c>no_grad</c> on the parameters' device, with no host synchronisation. The teacher is a <see cref="ISegmentationModel.Clone"/>
/// of the student, owned and disposed by this instance. Not thread-safe.
/// </remarks>
public sealed class EmaTeacher : IDisposable
{
    private readonly EmaTeacherOptions _options;

    /// <summary>Creates a teacher as a deep copy of <paramref name="student"/>.</summary>
    /// <param name="student">The student; cloned, not owned.</param>
    /// <param name="options">The options; <see langword="null"/> uses the reference values.</param>
    /// <param name="logger">An optional logger.</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public EmaTeacher(ISegmentationModel student, EmaTeacherOptions? options = null, ILogger<EmaTeacher>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(student);
        _options = options ?? new EmaTeacherOptions();
        Guard.Options(_options, nameof(options));
        Model = student.Clone();
        (logger ?? NullLogger<EmaTeacher>.Instance).TeacherCreated(student.Info.Architecture, Model.Module.parameters().Count());
    }

    /// <summary>Gets the teacher model, owned by this instance.</summary>
    public ISegmentationModel Model { get; }

    /// <summary>The decay of iteration <paramref name="iteration"/>: <c>min(1 − 1/(i + 1), cap)</c>.</summary>
    /// <param name="iteration">The zero-based iteration.</param>
    /// <param name="cap">The cap, in [0, 1).</param>
    /// <returns>The decay α.</returns>
    public static double Decay(long iteration, double cap)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(iteration);
        return Math.Min(1.0 - (1.0 / (iteration + 1)), cap);
    }

    /// <summary>Blends the student into the teacher for iteration <paramref name="iteration"/>.</summary>
    /// <param name="student">The student the teacher was cloned from (same architecture).</param>
    /// <param name="iteration">The zero-based iteration; 0 copies the student.</param>
    /// <exception cref="ArgumentException">The parameter lists differ.</exception>
    public void Update(ISegmentationModel student, long iteration)
    {
        ArgumentNullException.ThrowIfNull(student);
        Blend(Model.Module, student.Module, Decay(iteration, _options.DecayCap), _options.UpdateBuffers);
    }

    /// <summary>Sets <c>t ← α·t + (1 − α)·s</c> for every parameter pair of two modules with identical parameter lists.</summary>
    /// <param name="teacher">The module updated in place.</param>
    /// <param name="student">The module read.</param>
    /// <param name="decay">The decay α in [0, 1].</param>
    /// <param name="copyBuffers">Whether to copy the student's buffers into the teacher as well.</param>
    /// <exception cref="ArgumentException">The parameter (or buffer) lists differ in length or shapes.</exception>
    public static void Blend(nn.Module teacher, nn.Module student, double decay, bool copyBuffers = false)
    {
        ArgumentNullException.ThrowIfNull(teacher);
        ArgumentNullException.ThrowIfNull(student);
        ArgumentOutOfRangeException.ThrowIfNegative(decay);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(decay, 1.0);
        using var noGrad = no_grad();
        var pairs = Pair(teacher.parameters().Cast<Tensor>().ToList(), student.parameters().Cast<Tensor>().ToList(), "parameter");
        // One pass per pair, t + (1 − α)·(s − t): it reads two tensors and writes one, where mul_ then add_ reads three and
        // writes two. The weight is a 0-d tensor of each parameter's dtype and device (lerp_ requires both to match), filled
        // on that device so that no host-to-device copy (a synchronisation on CUDA) enters the iteration.
        using var weight = Scalars.Create(1.0 - decay);
        Tensor? studentWeight = null;
        try
        {
            foreach (var (target, source) in pairs)
            {
                if (studentWeight is null || studentWeight.dtype != target.dtype || studentWeight.device_type != target.device_type || studentWeight.device_index != target.device_index)
                {
                    studentWeight?.Dispose();
                    studentWeight = empty([], target.dtype, target.device).fill_(weight);
                }

                target.lerp_(source, studentWeight);
            }
        }
        finally
        {
            studentWeight?.Dispose();
        }

        if (copyBuffers)
        {
            foreach (var (target, source) in Pair(teacher.buffers().ToList(), student.buffers().ToList(), "buffer"))
            {
                target.copy_(source);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => Model.Dispose();

    private static IEnumerable<(Tensor Target, Tensor Source)> Pair(List<Tensor> teacher, List<Tensor> student, string kind)
    {
        if (teacher.Count != student.Count)
        {
            throw new ArgumentException($"The teacher has {teacher.Count} {kind} tensors but the student has {student.Count}; the modules must share one architecture.", nameof(student));
        }

        for (var i = 0; i < teacher.Count; i++)
        {
            if (!teacher[i].shape.SequenceEqual(student[i].shape))
            {
                throw new ArgumentException(
                    $"{kind} {i} has shape [{string.Join(", ", teacher[i].shape)}] in the teacher and [{string.Join(", ", student[i].shape)}] in the student.", nameof(student));
            }
        }

        return teacher.Zip(student);
    }
}
