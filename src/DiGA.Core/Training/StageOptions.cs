using System.ComponentModel.DataAnnotations;
using DiGA.Core.Kernels.Teacher;
using DiGA.Core.Training.Optimization;
using Microsoft.Extensions.Options;

namespace DiGA.Core.Training;

/// <summary>Options shared by every training stage: length, batch, optimiser, teacher and bookkeeping.</summary>
/// <remarks>Defaults are the reference GTA5 → Cityscapes values (SGD, 80k iterations, poly 0.9, EMA cap 0.999).</remarks>
public sealed class StageOptions
{
    /// <summary>Gets or sets the number of iterations.</summary>
    /// <value>The default value is 80000.</value>
    [Range(1, 100_000_000)]
    public int Iterations { get; set; } = 80_000;

    /// <summary>
    /// Gets or sets the number of source images per iteration (and of target images where the stage uses them). With
    /// several streams per domain (<see cref="TrainingDataOptions.SourceStreams"/>, <see cref="TrainingDataOptions.TargetStreams"/>)
    /// the streams' shares of this stage must add up to it.
    /// </summary>
    /// <value>
    /// The default value is 3, the reference's batch for GTA5 (warm-up: 1 low- + 2 high-resolution images per domain;
    /// self-training: 2 low- + 1 high-resolution) and SYNTHIA self-training (1 + 2); the SYNTHIA warm-up uses 4 (1 + 3).
    /// Without streams all the images come from one stream at the loaded size.
    /// </value>
    [Range(1, 4096)]
    public int BatchSize { get; set; } = 3;

    /// <summary>
    /// Gets or sets how many of each batch's images come from each of the domain's training streams, in stream order
    /// (<see cref="TrainingDataOptions.SourceStreams"/>, <see cref="TrainingDataOptions.TargetStreams"/>; the same split for
    /// both domains). With streams it needs one share per stream, adding up to <see cref="BatchSize"/>; without streams it
    /// must be empty. The supervised baselines, whose data may come from either domain, always read one stream at the
    /// loaded size and ignore it.
    /// </summary>
    /// <value>
    /// The default value is an empty list. The reference presets set 1 + 2 (warm-up: 1 low- and 2 high-resolution images
    /// per domain), 2 + 1 (self-training), 1 + 3 (SYNTHIA warm-up), 1 + 2 (SYNTHIA self-training) and 2 + 2 (domain
    /// generalisation).
    /// </value>
    [Required]
    public IList<int> StreamShares { get; set; } = [];

    /// <summary>Gets or sets whether this stage's source crops are randomly rescaled first (RandomSized_and_Crop, independent U(0.7, 1) per axis).</summary>
    /// <value>The default value is <see langword="true"/> (the SYNTHIA warm-up uses plain crops).</value>
    public bool RandomScale { get; set; } = true;

    /// <summary>Gets or sets the optimiser: kind, base learning rate (backbone; other groups use the model's multipliers, head 10×), momentum and weight decay.</summary>
    [Required]
    [ValidateObjectMembers]
    public SegmentationOptimizerOptions Optimizer { get; set; } = new();

    /// <summary>Gets or sets the learning-rate schedule over the stage's iterations.</summary>
    /// <value>The default value is <see cref="LearningRateSchedule.Poly"/>.</value>
    public LearningRateSchedule Schedule { get; set; } = LearningRateSchedule.Poly;

    /// <summary>Gets or sets the power of the poly schedule.</summary>
    /// <value>The default value is 0.9.</value>
    [Range(0.0, 10.0)]
    public double PolyPower { get; set; } = 0.9;

    /// <summary>
    /// Gets or sets the length of the linear learning-rate warm-up at the start of the stage: iteration i &lt; n runs at
    /// <c>1 − (1 − i/n)(1 − 10⁻⁶)</c> of the scheduled rate (mmcv's linear warm-up, as DAFormer trains). 0 disables it.
    /// </summary>
    /// <value>The default value is 0 (the DeepLabV2 reference has no warm-up; the DAFormer presets use 1500).</value>
    [Range(0, 100_000_000)]
    public int LearningRateWarmUpIterations { get; set; }

    /// <summary>Gets or sets the EMA teacher: its momentum cap α_i = min(1 − 1/(i+1), cap) and whether buffers are copied.</summary>
    /// <value>The default cap is 0.999 (the reference); schedules of a few hundred iterations need about 0.99.</value>
    [Required]
    [ValidateObjectMembers]
    public EmaTeacherOptions Teacher { get; set; } = new();

    /// <summary>Gets or sets whether validation, the best checkpoint and the model the stage leaves behind are the EMA teacher instead of the student (the student's weights are replaced by the teacher's at the end).</summary>
    /// <value>The default value is <see langword="false"/> (the reference evaluates and keeps the student).</value>
    public bool EvaluateTeacher { get; set; }

    /// <summary>Gets or sets how often (in iterations) losses are read back to the host, checked for NaN/Inf and reported.</summary>
    /// <value>The default value is 10.</value>
    [Range(1, 1_000_000)]
    public int LogInterval { get; set; } = 10;

    /// <summary>Gets or sets how often (in iterations) the model is validated; 0 validates only at the end.</summary>
    /// <value>The default value is 1000.</value>
    [Range(0, 100_000_000)]
    public int ValidationInterval { get; set; } = 1000;

    /// <summary>Gets or sets how often (in iterations) the last-state checkpoint is written; 0 writes it only on cancellation and at the end.</summary>
    /// <value>The default value is 1000.</value>
    [Range(0, 100_000_000)]
    public int CheckpointInterval { get; set; } = 1000;
}
