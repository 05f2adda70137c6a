using System.ComponentModel.DataAnnotations;
using DiGA.Core.Kernels.Augmentation;
using Microsoft.Extensions.Options;

namespace DiGA.Core.Training;

/// <summary>Options of the self-training rounds.</summary>
public sealed class SelfTrainingOptions
{
    /// <summary>Gets or sets the loop options of each round.</summary>
    [Required]
    [ValidateObjectMembers]
    public StageOptions Stage { get; set; } = new();

    /// <summary>Gets or sets the number of rounds; pseudo-labels are regenerated with the previous round's model between rounds.</summary>
    /// <value>The default value is 2.</value>
    [Range(1, 100)]
    public int Rounds { get; set; } = 2;

    /// <summary>Gets or sets whether every round starts from the warm-up centroids (the reference) instead of recomputing them with the previous round's model.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool ReuseWarmUpCentroids { get; set; } = true;

    /// <summary>Gets or sets the photometric augmentation <c>Photo_β</c> of this stage.</summary>
    /// <value>The default blend β is 0.3 (the reference value for this stage).</value>
    [Required]
    [ValidateObjectMembers]
    public PhotometricAugmentationOptions Photometric { get; set; } = new() { Beta = 0.3 };

    /// <summary>Gets or sets λ_seg, the weight of both supervised losses (source and mixed).</summary>
    /// <value>The default value is 1.</value>
    [Range(0.0, 100.0)]
    public double SegmentationWeight { get; set; } = 1.0;

    /// <summary>Gets or sets λ_kd, the weight of the distillation loss.</summary>
    /// <value>The default value is 0.25.</value>
    [Range(0.0, 100.0)]
    public double DistillationWeight { get; set; } = 0.25;
}
