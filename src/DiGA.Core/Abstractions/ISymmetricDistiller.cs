using static TorchSharp.torch;

namespace DiGA.Core;

/// <summary>Computes the symmetric knowledge-distillation loss between a student and its teacher over two views of one batch.</summary>
/// <remarks>
/// The teacher targets are detached inside the loss. Implementations never dispose the argument tensors and are stateless,
/// so one instance may be shared across threads.
/// </remarks>
public interface ISymmetricDistiller
{
    /// <summary>Computes the loss.</summary>
    /// <param name="arguments">The student and teacher logits of both views.</param>
    /// <returns>A fresh float32 scalar owned by the caller; it carries the gradient of the student logits.</returns>
    Tensor ComputeLoss(in DistillationArguments arguments);
}

/// <summary>Inputs of <see cref="ISymmetricDistiller.ComputeLoss"/>. All logits are <c>[N, C, H, W]</c> float32 on one device.</summary>
/// <param name="StudentOriginal">Student logits on the original view.</param>
/// <param name="StudentMixed">Student logits on the second (cross-domain mixed) view.</param>
/// <param name="TeacherOriginal">Teacher logits on the original view; treated as constant.</param>
/// <param name="TeacherMixed">Teacher logits on the second view; treated as constant.</param>
public readonly record struct DistillationArguments(Tensor StudentOriginal, Tensor StudentMixed, Tensor TeacherOriginal, Tensor TeacherMixed)
{
    /// <summary>Gets an optional <c>[N, H, W]</c> bool mask of the pixels that take part; <see langword="null"/> (the reference) uses every pixel.</summary>
    public Tensor? ValidMask { get; init; }
}
