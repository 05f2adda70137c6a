using System.ComponentModel.DataAnnotations;
using DiGA.Core.Training.Pipeline;
using DiGA.Core.Translation.Learned;
using Microsoft.Extensions.Options;

namespace DiGA.Core.Translation;

/// <summary>Which translator renders source images in target style, and how it is fitted or loaded.</summary>
public sealed class TranslatorOptions
{
    /// <summary>Gets or sets the translator.</summary>
    /// <value>The default value is <see cref="TranslatorKind.Reinhard"/>; <see cref="Hosting.DiGAOptions.Translator"/> and the reference presets use <see cref="TranslatorKind.Learned"/>.</value>
    public TranslatorKind Kind { get; set; } = TranslatorKind.Reinhard;

    /// <summary>Gets or sets the Reinhard translator's options.</summary>
    [Required]
    public ReinhardTranslatorOptions Reinhard { get; set; } = new();

    /// <summary>Gets or sets the Fourier translator's options.</summary>
    [Required]
    [ValidateObjectMembers]
    public FourierTranslatorOptions Fourier { get; set; } = new();

    /// <summary>Gets or sets the folder holding the learned translator's <c>enc_s.pth</c> and <c>dec_s2t.pth</c> (written by <see cref="DiGAPipeline.TrainTranslatorAsync"/>); the learned translator fails without it, it never falls back to another one.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? LearnedWeightsDirectory { get; set; }

    /// <summary>Gets or sets the training of the learned translator (<see cref="DiGAPipeline.TrainTranslatorAsync"/>): iterations, Adam, loss weights, VGG19 weights file.</summary>
    [Required]
    [ValidateObjectMembers]
    public TranslatorTrainerOptions Training { get; set; } = new();

    /// <summary>Gets or sets how many target images (in dataset order) the training-free translators gather statistics from; 0 uses all.</summary>
    /// <value>The default value is 0.</value>
    [Range(0, int.MaxValue)]
    public int FitImageCount { get; set; }
}
