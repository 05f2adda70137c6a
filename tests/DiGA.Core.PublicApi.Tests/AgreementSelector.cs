using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.PublicApi.Tests;

/// <summary>A user-written selector: keep the offline label where it equals the teacher's argmax at label resolution.</summary>
public sealed class AgreementSelector : IPseudoLabelSelector
{
    // Owned by the class: an implicitly converted 255 could be finalized while libtorch reads it (docs/extensibility.md).
    private static readonly Scalar Ignore = 255.ToScalar();

    public PseudoLabelSelection Select(in PseudoLabelArguments arguments)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var offline = arguments.OfflineLabels;
        var logits = nn.functional.interpolate(
            arguments.TeacherLogits, [offline.shape[1], offline.shape[2]], mode: InterpolationMode.Bilinear, align_corners: true);
        var kept = logits.argmax(1).eq(offline);
        var labels = where(kept, offline, full_like(offline, Ignore));
        return new PseudoLabelSelection(labels.MoveToOuterDisposeScope(), kept.MoveToOuterDisposeScope());
    }
}
