using DiGA.Core.Labels;

namespace DiGA.Core.Data;

/// <summary>Helpers for <see cref="ISegmentationDataset"/>.</summary>
public static class SegmentationDatasetExtensions
{
    /// <summary>Wraps a dataset so that its samples carry no labels (for target-domain training sets).</summary>
    /// <param name="dataset">The dataset; not copied.</param>
    /// <returns>A view with <see cref="ISegmentationDataset.HasLabels"/> = <see langword="false"/>.</returns>
    public static ISegmentationDataset WithoutLabels(this ISegmentationDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        return dataset.HasLabels ? new UnlabelledDataset(dataset) : dataset;
    }

    private sealed class UnlabelledDataset(ISegmentationDataset inner) : ISegmentationDataset
    {
        public string Name => inner.Name;

        public int Count => inner.Count;

        public LabelSpace LabelSpace => inner.LabelSpace;

        public bool HasLabels => false;

        public IReadOnlyList<SkippedSample> SkippedSamples => inner.SkippedSamples;

        public SegmentationSample Load(int index)
        {
            var sample = inner.Load(index);
            return new SegmentationSample(sample.Id, sample.Width, sample.Height, sample.Image, null);
        }

        public string DescribeSample(int index) => inner.DescribeSample(index);
    }
}
