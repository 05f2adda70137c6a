using System.ComponentModel.DataAnnotations;

namespace DiGA.Core.Kernels.Teacher;

/// <summary>Options of <see cref="EmaTeacher"/>.</summary>
public sealed class EmaTeacherOptions
{
    /// <summary>Gets or sets the cap of the EMA decay <c>α_i = min(1 − 1/(i + 1), cap)</c>.</summary>
    /// <value>The default value is 0.999 (short schedules are better served by about 0.99).</value>
    [Range(0.0, 0.999999)]
    public double DecayCap { get; set; } = 0.999;

    /// <summary>Gets or sets a value indicating whether each update also copies the student's buffers (for example BatchNorm running statistics) into the teacher.</summary>
    /// <value>The default value is <see langword="false"/> (the reference leaves the teacher's buffers untouched).</value>
    public bool UpdateBuffers { get; set; }
}
