using System.ComponentModel.DataAnnotations;
using DiGA.Core.Kernels.Distillation;
using DiGA.Core.Kernels.Mixing;
using DiGA.Core.Kernels.PseudoLabels;
using DiGA.Core.Models;
using DiGA.Core.Training;
using DiGA.Core.Translation;
using Microsoft.Extensions.Options;

namespace DiGA.Core.Hosting;

/// <summary>The root options of DiGA.Core, bound from the <c>DiGA</c> configuration section: device, seed, model, pipeline and components.</summary>
/// <remarks>The defaults are the reference GTA5 → Cityscapes settings; <see cref="DiGAPresets"/> builds the other presets.</remarks>
public sealed class DiGAOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "DiGA";

    /// <summary>Gets or sets the tensor device: <c>auto</c> (CUDA when available, else CPU), <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</summary>
    /// <value>The default value is <c>auto</c>.</value>
    [Required]
    [RegularExpression("^(auto|cpu|cuda(:[0-9]+)?)$", ErrorMessage = "DiGA:Device must be 'auto', 'cpu', 'cuda' or 'cuda:N'.")]
    public string Device { get; set; } = "auto";

    /// <summary>Gets or sets the seed of every random generator and data order.</summary>
    /// <value>The default value is 0.</value>
    public int Seed { get; set; }

    /// <summary>Gets or sets the segmentation model built by the container (its own device setting is replaced by <see cref="Device"/>).</summary>
    [Required]
    [ValidateObjectMembers]
    public SegmentationModelOptions Model { get; set; } = new();

    /// <summary>Gets or sets the training pipeline.</summary>
    [Required]
    [ValidateObjectMembers]
    public DiGAPipelineOptions Pipeline { get; set; } = new();

    /// <summary>Gets or sets the symmetric distillation loss.</summary>
    [Required]
    [ValidateObjectMembers]
    public SymmetricDistillationOptions Distillation { get; set; } = new();

    /// <summary>Gets or sets the ClassMix mixer.</summary>
    [Required]
    [ValidateObjectMembers]
    public ClassMixOptions Mixing { get; set; } = new();

    /// <summary>Gets or sets which pseudo-label selector self-training uses.</summary>
    /// <value>The default value is <see cref="PseudoLabelSelectorKind.Dynamic"/> (DiGA's threshold-free selection).</value>
    public PseudoLabelSelectorKind Selector { get; set; } = PseudoLabelSelectorKind.Dynamic;

    /// <summary>Gets or sets the fixed-threshold selector (used when <see cref="Selector"/> is <see cref="PseudoLabelSelectorKind.FixedThreshold"/>).</summary>
    [Required]
    [ValidateObjectMembers]
    public FixedThresholdSelectorOptions FixedThreshold { get; set; } = new();

    /// <summary>Gets or sets the class-balanced selector (used when <see cref="Selector"/> is <see cref="PseudoLabelSelectorKind.ClassBalanced"/>).</summary>
    [Required]
    [ValidateObjectMembers]
    public ClassBalancedSelectorOptions ClassBalanced { get; set; } = new();

    /// <summary>Gets or sets the source → target translator of the cross-domain mixture.</summary>
    /// <value>
    /// The default is the reference's learned translator (<see cref="TranslatorKind.Learned"/>): the stages that mix fail at their
    /// start until <see cref="TranslatorOptions.LearnedWeightsDirectory"/> names the weights of stage 0, or
    /// <see cref="TranslatorOptions.Kind"/> picks the training-free <see cref="TranslatorKind.Reinhard"/> or <see cref="TranslatorKind.Fourier"/>.
    /// </value>
    [Required]
    [ValidateObjectMembers]
    public TranslatorOptions Translator { get; set; } = new() { Kind = TranslatorKind.Learned };
}
