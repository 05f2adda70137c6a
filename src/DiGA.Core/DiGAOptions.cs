using System.ComponentModel.DataAnnotations;

namespace DiGA.Core;

/// <summary>The root options of DiGA.Core, bound from the <c>DiGA</c> configuration section.</summary>
public sealed class DiGAOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "DiGA";

    /// <summary>Gets or sets the tensor device: <c>auto</c> (CUDA when available, else CPU), <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</summary>
    /// <value>The default value is <c>auto</c>.</value>
    [Required]
    [RegularExpression("^(auto|cpu|cuda(:[0-9]+)?)$", ErrorMessage = "DiGA:Device must be 'auto', 'cpu', 'cuda' or 'cuda:N'.")]
    public string Device { get; set; } = "auto";

    /// <summary>Gets or sets the seed of every random generator the pipeline creates.</summary>
    /// <value>The default value is 0.</value>
    public int Seed { get; set; }
}
