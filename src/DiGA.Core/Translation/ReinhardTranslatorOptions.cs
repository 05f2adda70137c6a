namespace DiGA.Core.Translation;

/// <summary>Options of <see cref="ReinhardTranslator"/>.</summary>
public sealed class ReinhardTranslatorOptions
{
    /// <summary>Gets or sets how source images (and the translated output) are normalised.</summary>
    /// <value>The default value is <see cref="ImageNormalization.Reference"/>.</value>
    public ImageNormalization Normalization { get; set; } = ImageNormalization.Reference;

    /// <summary>Gets or sets which target style each source image receives.</summary>
    /// <value>The default value is <see cref="TargetStyleSelection.RandomTargetImage"/>.</value>
    public TargetStyleSelection Selection { get; set; } = TargetStyleSelection.RandomTargetImage;
}
