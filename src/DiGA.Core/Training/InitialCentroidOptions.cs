using System.ComponentModel.DataAnnotations;

namespace DiGA.Core.Training;

/// <summary>How the initial class centroids of self-training are computed: the size the target images are resized to and the number of passes over them.</summary>
/// <remarks>Independent of the pseudo-label resolution: pseudo-labels are predicted at the loaded size whatever these options say.</remarks>
public sealed class InitialCentroidOptions : IValidatableObject
{
    /// <summary>
    /// Gets or sets the height the target images are resized to (bicubic, antialiased when downscaling) before the
    /// forward pass; together with <see cref="ResizeWidth"/>. Both <see langword="null"/> keep the loaded size.
    /// </summary>
    /// <value>The default value is 512 (the reference resizes Cityscapes to 512×1024: 65×129 DeepLabV2 features).</value>
    [Range(8, 16384)]
    public int? ResizeHeight { get; set; } = 512;

    /// <summary>Gets or sets the width the target images are resized to; see <see cref="ResizeHeight"/>.</summary>
    /// <value>The default value is 1024.</value>
    [Range(8, 16384)]
    public int? ResizeWidth { get; set; } = 1024;

    /// <summary>
    /// Gets or sets the number of passes over the target images. The running mean and its counts carry over from one
    /// pass to the next, so once a class reaches <see cref="Kernels.PseudoLabels.ClassCentroidOptions.CountCap"/> its
    /// centroid becomes a moving average that weighs the later images most.
    /// </summary>
    /// <value>The default value is 5 (the reference).</value>
    [Range(1, 100)]
    public int Passes { get; set; } = 5;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ResizeHeight.HasValue != ResizeWidth.HasValue)
        {
            yield return new ValidationResult(
                $"InitialCentroids.ResizeHeight ({Describe(ResizeHeight)}) and InitialCentroids.ResizeWidth ({Describe(ResizeWidth)}) must be set together; leave both null to keep the loaded size.",
                [nameof(ResizeHeight), nameof(ResizeWidth)]);
        }
    }

    private static string Describe(int? value) => value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null";
}
