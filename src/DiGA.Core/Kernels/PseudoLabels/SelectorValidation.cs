using DiGA.Core.Foundation;
using static TorchSharp.torch;

namespace DiGA.Core.Kernels.PseudoLabels;

/// <summary>Shape checks and shared steps of the built-in selectors.</summary>
internal static class SelectorValidation
{
    public const int IgnoreIndex = 255;

    /// <summary>Checks the offline labels, teacher logits and features of <paramref name="arguments"/>.</summary>
    public static void Validate(in PseudoLabelArguments arguments, bool needsFeatures)
    {
        var (labels, logits, features) = (arguments.OfflineLabels, arguments.TeacherLogits, arguments.TeacherFeatures);
        if (labels is null || logits is null || (needsFeatures && features is null))
        {
            throw new ArgumentException("OfflineLabels, TeacherLogits and TeacherFeatures are required.", nameof(arguments));
        }

        if (labels.dim() != 3 || labels.dtype != ScalarType.Int64)
        {
            throw new ArgumentException($"Expected OfflineLabels [N, H, W] int64, got {labels.dtype} [{Shape(labels)}].", nameof(arguments));
        }

        if (logits.dim() != 4 || logits.shape[0] != labels.shape[0])
        {
            throw new ArgumentException($"Expected TeacherLogits [{labels.shape[0]}, C, h, w], got [{Shape(logits)}].", nameof(arguments));
        }

        if (needsFeatures && (features.dim() != 4 || features.shape[0] != logits.shape[0] || features.shape[2] != logits.shape[2] || features.shape[3] != logits.shape[3]))
        {
            throw new ArgumentException(
                $"Expected TeacherFeatures [{logits.shape[0]}, D, {logits.shape[2]}, {logits.shape[3]}] on the logits' grid, got [{Shape(features)}].", nameof(arguments));
        }
    }

    /// <summary>Bilinear (align_corners = true) upsampling of <c>[N, C, h, w]</c> maps to the label size.</summary>
    public static Tensor Upsample(Tensor maps, Tensor labels) =>
        TorchSharp.torch.nn.functional.interpolate(maps, [labels.shape[1], labels.shape[2]], mode: InterpolationMode.Bilinear, align_corners: true);

    /// <summary>Builds the selection from a keep mask: the offline label where kept (and not ignored), 255 elsewhere.</summary>
    public static PseudoLabelSelection Compose(Tensor offlineLabels, Tensor keep)
    {
        var kept = keep.logical_and(offlineLabels.ne(Scalars.Of(IgnoreIndex)));
        var labels = where(kept, offlineLabels, full_like(offlineLabels, Scalars.Of(IgnoreIndex)));
        return new PseudoLabelSelection(labels.MoveToOuterDisposeScope(), kept.MoveToOuterDisposeScope());
    }

    public static string Shape(Tensor tensor) => string.Join(", ", tensor.shape);
}
