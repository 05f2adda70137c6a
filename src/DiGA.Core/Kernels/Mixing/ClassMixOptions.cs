using System.ComponentModel.DataAnnotations;

namespace DiGA.Core.Kernels.Mixing;

/// <summary>Options of <see cref="ClassMixMixer"/>.</summary>
public sealed class ClassMixOptions
{
    /// <summary>Gets or sets the ignore value: it is always inside the mask, and it fills no other role.</summary>
    /// <value>The default value is 255.</value>
    [Range(0, 255)]
    public int IgnoreIndex { get; set; } = 255;
}
