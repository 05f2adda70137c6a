using DiGA.Core.Data;

namespace DiGA.Core.Training.Pipeline;

/// <summary>Argument checks of the pipeline's services.</summary>
internal static class PipelineGuard
{
    /// <summary>Throws when <paramref name="data"/> is null or has no labels.</summary>
    public static void RequireLabels(ISegmentationDataset? data, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(data, parameterName);
        if (!data.HasLabels)
        {
            throw new ArgumentException($"Dataset '{data.Name}' has no labels, but this stage needs them.", parameterName);
        }
    }
}
