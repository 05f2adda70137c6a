using System.ComponentModel.DataAnnotations;
using DiGA.Core.Kernels.Augmentation;
using Microsoft.Extensions.Options;

namespace DiGA.Core.Training;

/// <summary>Options of the warm-up stage (symmetric distillation with the cross-domain mixture).</summary>
public sealed class WarmUpOptions
{
    /// <summary>Gets or sets the stage name used in progress, logs, checkpoints and metrics.</summary>
    /// <value>The default value is <c>warmUp</c>.</value>
    [Required]
    public string Name { get; set; } = "warmUp";

    /// <summary>Gets or sets the loop options.</summary>
    [Required]
    [ValidateObjectMembers]
    public StageOptions Stage { get; set; } = new();

    /// <summary>Gets or sets whether the second view is the cross-domain mixture (needs a translator); otherwise it is the photometric view alone (SymKD only, or domain generalisation).</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool UseCrossDomainMix { get; set; } = true;

    /// <summary>Gets or sets whether each iteration also runs the student, without gradient, on a target batch so that its BatchNorm statistics see target images (the reference does).</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool TargetBatchNormForward { get; set; } = true;

    /// <summary>Gets or sets the photometric augmentation <c>Photo_β</c> of this stage.</summary>
    /// <value>The default blend β is 0.4 (the reference value for this stage).</value>
    [Required]
    [ValidateObjectMembers]
    public PhotometricAugmentationOptions Photometric { get; set; } = new();

    /// <summary>Gets or sets λ_seg, the weight of the supervised loss.</summary>
    /// <value>The default value is 1.</value>
    [Range(0.0, 100.0)]
    public double SegmentationWeight { get; set; } = 1.0;

    /// <summary>Gets or sets λ_kd, the weight of the distillation loss.</summary>
    /// <value>The default value is 0.5 (GTA5; SYNTHIA uses 0.25).</value>
    [Range(0.0, 100.0)]
    public double DistillationWeight { get; set; } = 0.5;

    /// <summary>
    /// Creates the options of the reference's domain-generalisation script (GTA5): no translator, so the second view is the
    /// photometric view, without its sharpness step; the no-grad target forward for BatchNorm statistics; 4 source and 4 target
    /// images per iteration; otherwise the GTA5 warm-up (80k iterations, SGD with poly 0.9, λ_seg 1, λ_kd 0.5, β 0.4, colour
    /// jitter p 0.5, grayscale p 0.3, rescaled source crops). The stage is named <c>domainGeneralization</c>.
    /// </summary>
    /// <returns>A new instance.</returns>
    /// <remarks>
    /// The distillation's reverse weight <c>s</c> (0.5 in that script) and the supervised loss (cross-entropy) are pipeline-wide
    /// options. Set <see cref="TargetBatchNormForward"/> to <see langword="false"/> for a run that never sees target images.
    /// </remarks>
    public static WarmUpOptions DomainGeneralization() => new()
    {
        Name = "domainGeneralization",
        Stage = new StageOptions { BatchSize = 4 },
        UseCrossDomainMix = false,
        TargetBatchNormForward = true,
        Photometric = new PhotometricAugmentationOptions { SharpnessEnabled = false },
    };
}
