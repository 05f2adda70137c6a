using System.ComponentModel.DataAnnotations;

namespace DiGA.Core.Translation.Learned;

/// <summary>Options of <see cref="LearnedTranslator"/>.</summary>
public sealed class LearnedTranslatorOptions
{
    /// <summary>Gets or sets the tensor device: <c>auto</c>, <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</summary>
    /// <value>The default value is <c>auto</c>.</value>
    [Required]
    public string Device { get; set; } = "auto";

    /// <summary>Gets or sets the base channel width of the networks (64 in the reference). Narrow widths are for tests.</summary>
    internal int Width { get; set; } = 64;
}
