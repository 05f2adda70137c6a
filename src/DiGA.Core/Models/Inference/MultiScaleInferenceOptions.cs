using System.ComponentModel.DataAnnotations;

namespace DiGA.Core.Models.Inference;

/// <summary>Options of <see cref="MultiScaleInference"/>.</summary>
internal sealed class MultiScaleInferenceOptions
{
    /// <summary>Gets or sets the input scales; the first one also provides the returned features.</summary>
    /// <value>The default value is 1.0, 0.5 (the reference evaluation and pseudo-labelling protocol).</value>
    [Required]
    [MinLength(1)]
    public IList<double> Scales { get; set; } = [1.0, 0.5];

    /// <summary>Gets or sets a value indicating whether every scale is also run on the horizontally flipped image (flipped back and fused by the same maximum).</summary>
    /// <value>The default value is <see langword="false"/> (the reference uses no flip).</value>
    public bool HorizontalFlip { get; set; }

    internal void Validate()
    {
        if (Scales is null || Scales.Count == 0 || Scales.Any(s => !(s > 0.0) || double.IsInfinity(s)))
        {
            throw new ArgumentException("MultiScaleInferenceOptions.Scales must hold at least one positive, finite scale.", "options");
        }
    }
}
