using System.ComponentModel.DataAnnotations;
using DiGA.Core.Foundation;

namespace DiGA.Core.Models.Inference;

/// <summary>Options of <see cref="SegmentationPredictor"/>.</summary>
public sealed class SegmentationPredictorOptions
{
    /// <summary>Gets or sets the input scales whose resized logits are fused by an element-wise max.</summary>
    /// <value>The default value is [1].</value>
    [Required]
    [MinLength(1)]
    public IList<double> Scales { get; set; } = [1.0];

    /// <summary>Gets or sets whether horizontally flipped inputs are fused too.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool HorizontalFlip { get; set; }

    /// <summary>Gets or sets the scale the model was trained at; images are resized to it first. <see langword="null"/> predicts at the image's own size.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public InputScale? InputScale { get; set; }

    /// <summary>Gets or sets how much neighbouring windows overlap, as a share of the window, where the resized image is larger than the training window.</summary>
    /// <value>The default value is 1/3.</value>
    [Range(0.0, 0.9)]
    public double WindowOverlap { get; set; } = 1.0 / 3.0;

    internal SegmentationPredictorOptions Copy() => new()
    {
        Scales = [.. Scales],
        HorizontalFlip = HorizontalFlip,
        InputScale = InputScale,
        WindowOverlap = WindowOverlap,
    };

    internal void Validate()
    {
        Guard.Options(this, "options");
        if (Scales.Any(s => s is <= 0 or > 8 || !double.IsFinite(s)))
        {
            throw new ArgumentException($"SegmentationPredictorOptions.Scales must lie in (0, 8], got [{string.Join(", ", Scales)}].", "options");
        }

        if (InputScale is { } scale && (scale.ImageHeight < 1 || scale.ImageWidth < 1 || scale.CropHeight < 1 || scale.CropWidth < 1))
        {
            throw new ArgumentException($"SegmentationPredictorOptions.InputScale must have positive sizes, got {scale}.", "options");
        }
    }
}
