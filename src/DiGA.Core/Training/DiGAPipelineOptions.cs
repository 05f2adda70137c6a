using System.ComponentModel.DataAnnotations;
using DiGA.Core.Hosting;
using DiGA.Core.Kernels.Losses;
using DiGA.Core.Kernels.PseudoLabels;
using Microsoft.Extensions.Options;

namespace DiGA.Core.Training;

/// <summary>
/// Every hyper-parameter of the DiGA pipeline; the defaults are the reference GTA5 → Cityscapes settings (see
/// <see cref="DiGAPresets"/>), except <see cref="CarriedModel"/>, whose reference value selects on target validation labels.
/// </summary>
public sealed class DiGAPipelineOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "DiGA:Pipeline";

    /// <summary>Gets or sets the folder of checkpoints, pseudo-labels and centroids; a run resumes from what it finds there.</summary>
    /// <value>The default value is <c>diga-work</c>.</value>
    [Required]
    public string WorkDirectory { get; set; } = "diga-work";

    /// <summary>Gets or sets how training batches are drawn.</summary>
    [Required]
    [ValidateObjectMembers]
    public TrainingDataOptions Data { get; set; } = new();

    /// <summary>Gets or sets the supervised loss of every stage.</summary>
    /// <value>The default value is <see cref="SupervisedLossKind.CrossEntropy"/> (GTA5); SYNTHIA uses OHEM.</value>
    public SupervisedLossKind SupervisedLoss { get; set; } = SupervisedLossKind.CrossEntropy;

    /// <summary>Gets or sets the cross-entropy options.</summary>
    [Required]
    [ValidateObjectMembers]
    public CrossEntropyOptions CrossEntropy { get; set; } = new();

    /// <summary>Gets or sets the OHEM cross-entropy options.</summary>
    [Required]
    [ValidateObjectMembers]
    public OhemCrossEntropyOptions Ohem { get; set; } = new();

    /// <summary>Gets or sets the loop of the supervised baselines (source only, target oracle, translated source).</summary>
    [Required]
    [ValidateObjectMembers]
    public StageOptions Supervised { get; set; } = new();

    /// <summary>Gets or sets the warm-up stage.</summary>
    [Required]
    [ValidateObjectMembers]
    public WarmUpOptions WarmUp { get; set; } = new();

    /// <summary>Gets or sets the domain-generalisation run: a warm-up without translator, run through <see cref="Pipeline.WarmUpRequest.Options"/>.</summary>
    /// <value>The default is <see cref="WarmUpOptions.DomainGeneralization"/>, the reference's domain-generalisation script.</value>
    [Required]
    [ValidateObjectMembers]
    public WarmUpOptions DomainGeneralization { get; set; } = WarmUpOptions.DomainGeneralization();

    /// <summary>Gets or sets the self-training rounds.</summary>
    [Required]
    [ValidateObjectMembers]
    public SelfTrainingOptions SelfTraining { get; set; } = new();

    /// <summary>Gets or sets how offline pseudo-labels are predicted.</summary>
    [Required]
    [ValidateObjectMembers]
    public InferenceOptions PseudoLabels { get; set; } = new();

    /// <summary>Gets or sets the class centroids: minimum pixels, count cap and online momentum.</summary>
    [Required]
    [ValidateObjectMembers]
    public ClassCentroidOptions Centroids { get; set; } = new();

    /// <summary>Gets or sets how the initial centroids of self-training are computed: pre-resize and number of passes.</summary>
    [Required]
    [ValidateObjectMembers]
    public InitialCentroidOptions InitialCentroids { get; set; } = new();

    /// <summary>
    /// Gets or sets which state every training stage leaves in the model, and so which state starts the next stage's
    /// pseudo-labels, centroids and training: the last one, or the best on the validation set (the reference).
    /// </summary>
    /// <value>
    /// The default value is <see cref="Training.CarriedModel.Last"/>: <see cref="Training.CarriedModel.BestOnValidation"/> selects
    /// with target validation labels, which true unsupervised adaptation does not have. The reference presets use
    /// <see cref="Training.CarriedModel.BestOnValidation"/>; with it, a stage called without a validation set throws.
    /// </value>
    public CarriedModel CarriedModel { get; set; } = CarriedModel.Last;

    /// <summary>Gets or sets how models are evaluated.</summary>
    [Required]
    [ValidateObjectMembers]
    public InferenceOptions Evaluation { get; set; } = new();

    /// <summary>
    /// Gets or sets the process-wide settings of glibc's allocator that the pipeline applies when it is created (once per
    /// process; the first pipeline's values hold); no effect off glibc Linux.
    /// </summary>
    /// <value>The default caps malloc arenas at 2 and keeps freed memory for reuse (see <see cref="NativeMemoryOptions"/>).</value>
    [Required]
    [ValidateObjectMembers]
    public NativeMemoryOptions NativeMemory { get; set; } = new();
}

/// <summary>The supervised loss of the pipeline.</summary>
public enum SupervisedLossKind
{
    /// <summary>Cross-entropy with ignore index (GTA5, domain generalisation).</summary>
    CrossEntropy,

    /// <summary>Online hard example mining cross-entropy (SYNTHIA).</summary>
    Ohem,
}
