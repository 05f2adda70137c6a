using System.ComponentModel.DataAnnotations;

namespace DiGA.Core.Kernels.Distillation;

/// <summary>Options of <see cref="SymmetricDistiller"/>.</summary>
public sealed class SymmetricDistillationOptions
{
    /// <summary>Gets or sets the weight s of the reverse direction, teacher(mixed view) → student(original view).</summary>
    /// <value>The default value is 0.5 (GTA5 and DG in the reference; the SYNTHIA setting uses 0.25).</value>
    [Range(0.0, 100.0)]
    public double ReverseWeight { get; set; } = 0.5;

    /// <summary>Gets or sets the softmax temperature T of both teacher and student; the loss is multiplied by T² so gradients keep their scale.</summary>
    /// <value>The default value is 1 (no temperature, as in the reference).</value>
    [Range(0.01, 100.0)]
    public double Temperature { get; set; } = 1.0;
}
