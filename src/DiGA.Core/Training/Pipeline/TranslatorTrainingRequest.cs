using DiGA.Core.Data;
using DiGA.Core.Translation.Learned;

namespace DiGA.Core.Training.Pipeline;

/// <summary>A run of stage 0, the learned translator's training.</summary>
/// <param name="Source">The labelled source set (labels drive the semantic-edge loss).</param>
/// <param name="Target">The target images.</param>
/// <param name="Options">The trainer options (device, iterations, loss weights, VGG weights); read, never modified. The pipeline's seed replaces theirs.</param>
/// <param name="OutputDirectory">Where <c>enc_s.pth</c> and <c>dec_s2t.pth</c> go.</param>
public sealed record TranslatorTrainingRequest(ISegmentationDataset Source, ISegmentationDataset Target, TranslatorTrainerOptions Options, string OutputDirectory)
{
    /// <summary>Gets how often (in iterations) the checkpoint and the weights are written.</summary>
    /// <value>The default value is 2000 (the reference saves its weights every 2000 iterations).</value>
    public int CheckpointInterval { get; init; } = 2000;

    /// <summary>Gets the perceptual feature extractor; <see langword="null"/> loads VGG19 from <see cref="TranslatorTrainerOptions.VggWeightsPath"/>. Borrowed, not disposed.</summary>
    public IPerceptualFeatureExtractor? PerceptualFeatures { get; init; }
}
