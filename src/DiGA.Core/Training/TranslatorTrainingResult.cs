using DiGA.Core.Translation.Learned;

namespace DiGA.Core.Training;

/// <summary>What the learned translator's training (stage 0) reports.</summary>
/// <param name="Iterations">The number of iterations run (in total, across resumes).</param>
/// <param name="Elapsed">The wall time, across resumes.</param>
/// <param name="Losses">The losses of every iteration.</param>
/// <param name="WeightsDirectory">The folder holding <c>enc_s.pth</c> and <c>dec_s2t.pth</c>.</param>
public sealed record TranslatorTrainingResult(int Iterations, TimeSpan Elapsed, IReadOnlyList<TranslatorStepLosses> Losses, string WeightsDirectory);
