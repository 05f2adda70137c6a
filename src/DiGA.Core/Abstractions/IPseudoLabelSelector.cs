using static TorchSharp.torch;

namespace DiGA.Core;

/// <summary>Decides which target pixels train the student in self-training, and with which label.</summary>
/// <remarks>
/// Implementations never dispose the argument tensors and keep no per-call state, so one instance may be shared.
/// Selection is computed without gradients and without host synchronisation.
/// </remarks>
public interface IPseudoLabelSelector
{
    /// <summary>Selects the training labels of a target batch.</summary>
    /// <param name="arguments">The offline labels and the teacher's outputs on the batch.</param>
    /// <returns>The selection, owned by the caller.</returns>
    PseudoLabelSelection Select(in PseudoLabelArguments arguments);
}

/// <summary>Inputs of <see cref="IPseudoLabelSelector.Select"/>, all on one device.</summary>
/// <param name="OfflineLabels">Offline pseudo-labels <c>[N, H, W]</c>, int64, values in <c>[0, C)</c> or 255.</param>
/// <param name="TeacherLogits">Teacher logits <c>[N, C, h, w]</c>, float32, at the model's output resolution.</param>
/// <param name="TeacherFeatures">Teacher features <c>[N, D, h, w]</c>, float32, on the same grid.</param>
public readonly record struct PseudoLabelArguments(Tensor OfflineLabels, Tensor TeacherLogits, Tensor TeacherFeatures)
{
    /// <summary>Gets the class centroids <c>[C, D]</c>, float32, for selectors that use them.</summary>
    public Tensor? Centroids { get; init; }
}

/// <summary>The result of <see cref="IPseudoLabelSelector.Select"/>; owns its tensors.</summary>
public sealed class PseudoLabelSelection : IDisposable
{
    /// <summary>Initialises a selection that takes ownership of the tensors.</summary>
    /// <param name="labels">Training labels <c>[N, H, W]</c>, int64: the offline label where kept, 255 elsewhere.</param>
    /// <param name="kept">Kept pixels <c>[N, H, W]</c>, bool.</param>
    public PseudoLabelSelection(Tensor labels, Tensor kept)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(kept);
        Labels = labels;
        Kept = kept;
    }

    /// <summary>Gets the training labels <c>[N, H, W]</c>, int64, with 255 on rejected pixels.</summary>
    public Tensor Labels { get; }

    /// <summary>Gets the kept pixels <c>[N, H, W]</c>, bool.</summary>
    public Tensor Kept { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        Labels.Dispose();
        Kept.Dispose();
    }
}
