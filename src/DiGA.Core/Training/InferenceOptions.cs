using System.ComponentModel.DataAnnotations;

namespace DiGA.Core.Training;

/// <summary>How a model is run for offline pseudo-labels and evaluation: the scales fused by a max over logits, and flipping.</summary>
public sealed class InferenceOptions
{
    /// <summary>Gets or sets the input scales whose upsampled logits are fused by an element-wise max.</summary>
    /// <value>The default value is [1, 0.5] (the reference).</value>
    [Required]
    [MinLength(1)]
    public IList<double> Scales { get; set; } = [1.0, 0.5];

    /// <summary>Gets or sets whether horizontally flipped inputs are fused too.</summary>
    /// <value>The default value is <see langword="false"/> (the reference uses no flip).</value>
    public bool HorizontalFlip { get; set; }
}
