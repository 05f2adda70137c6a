using static TorchSharp.torch;

namespace DiGA.Core.Testing;

/// <summary>Checks that a <see cref="PseudoLabelSelection"/> honours the <see cref="IPseudoLabelSelector"/> contract.</summary>
public static class SelectionContract
{
    /// <summary>Lists every contract violation of <paramref name="selection"/> for the inputs it was computed from.</summary>
    /// <param name="selection">The selection to check; not disposed.</param>
    /// <param name="arguments">The arguments the selector received; not disposed.</param>
    /// <returns>Readable violations; empty when the selection is valid.</returns>
    /// <remarks>
    /// The contract: the input tensors are still alive and were not returned; <see cref="PseudoLabelSelection.Labels"/> is int64 and
    /// <see cref="PseudoLabelSelection.Kept"/> bool, both shaped and placed like the offline labels; labels are 255 exactly where a
    /// pixel is not kept, and equal the offline label where it is kept.
    /// </remarks>
    public static IReadOnlyList<string> Check(PseudoLabelSelection selection, in PseudoLabelArguments arguments)
    {
        ArgumentNullException.ThrowIfNull(selection);
        var violations = new List<string>();
        var inputs = new[] { arguments.OfflineLabels, arguments.TeacherLogits, arguments.TeacherFeatures, arguments.Centroids };
        if (inputs.Any(input => input is { IsInvalid: true }))
        {
            violations.Add("An input tensor was disposed by the selector.");
            return violations;
        }

        if (inputs.Any(input => ReferenceEquals(input, selection.Labels) || ReferenceEquals(input, selection.Kept)))
        {
            violations.Add("The selection returned an input tensor instead of a fresh one.");
        }

        var offline = arguments.OfflineLabels;
        if (selection.Labels.dtype != ScalarType.Int64 || !selection.Labels.shape.SequenceEqual(offline.shape) || !SameDevice(selection.Labels, offline))
        {
            violations.Add($"Labels must be int64 [{string.Join(", ", offline.shape)}] on {offline.device}, got {selection.Labels.dtype} [{string.Join(", ", selection.Labels.shape)}] on {selection.Labels.device}.");
        }

        if (selection.Kept.dtype != ScalarType.Bool || !selection.Kept.shape.SequenceEqual(offline.shape) || !SameDevice(selection.Kept, offline))
        {
            violations.Add($"Kept must be bool [{string.Join(", ", offline.shape)}] on {offline.device}, got {selection.Kept.dtype} [{string.Join(", ", selection.Kept.shape)}] on {selection.Kept.device}.");
        }

        if (violations.Count > 0)
        {
            return violations;
        }

        using var scope = NewDisposeScope();
        var rejectedNot255 = selection.Kept.logical_not().logical_and(selection.Labels.ne(255)).sum().item<long>();
        if (rejectedNot255 > 0)
        {
            violations.Add($"{rejectedNot255} rejected pixels have a label other than 255.");
        }

        var keptWrong = selection.Kept.logical_and(selection.Labels.ne(offline).logical_or(offline.eq(255))).sum().item<long>();
        if (keptWrong > 0)
        {
            violations.Add($"{keptWrong} kept pixels do not carry their (non-ignored) offline label.");
        }

        return violations;
    }

    private static bool SameDevice(Tensor a, Tensor b) => a.device_type == b.device_type && a.device_index == b.device_index;
}
