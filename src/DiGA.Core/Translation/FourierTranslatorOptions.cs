using System.ComponentModel.DataAnnotations;

namespace DiGA.Core.Translation;

/// <summary>Options of <see cref="FourierTranslator"/>.</summary>
public sealed class FourierTranslatorOptions
{
    /// <summary>Gets or sets the band ratio β: the swapped low-frequency square has half-size <c>⌊min(H, W)·β⌋</c>.</summary>
    /// <value>The default value is 0.01. Keep β ≤ 0.02 for images of about 64×128; larger values give blotchy artefacts.</value>
    [Range(0.0, 0.5)]
    public double Beta { get; set; } = 0.01;

    /// <summary>Gets or sets how source images (and the translated output) are normalised.</summary>
    /// <value>The default value is <see cref="ImageNormalization.Reference"/>.</value>
    public ImageNormalization Normalization { get; set; } = ImageNormalization.Reference;

    /// <summary>Gets or sets which target amplitude each source image receives.</summary>
    /// <value>The default value is <see cref="TargetStyleSelection.RandomTargetImage"/>.</value>
    public TargetStyleSelection Selection { get; set; } = TargetStyleSelection.RandomTargetImage;

    /// <summary>Throws unless β lies in [0, 0.5].</summary>
    internal static void ValidateBeta(double beta, string parameterName)
    {
        if (double.IsNaN(beta) || beta < 0 || beta > 0.5)
        {
            throw new ArgumentOutOfRangeException(parameterName, beta, "Beta must lie in [0, 0.5].");
        }
    }
}
