namespace DiGA.Core.Translation;

/// <summary>Which target style a training-free translator applies to each source image.</summary>
public enum TargetStyleSelection
{
    /// <summary>The style of one target image drawn uniformly at random for each source image (with the generator of <see cref="TranslationArguments"/>).</summary>
    RandomTargetImage,

    /// <summary>The average style over all fitted target images; deterministic and needs no generator.</summary>
    GlobalAverage,
}
