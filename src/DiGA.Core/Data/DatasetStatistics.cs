using DiGA.Core.Labels;

namespace DiGA.Core.Data;

/// <summary>Per-channel pixel statistics and label frequencies of a dataset (used for documentation and tests).</summary>
internal sealed record DatasetStatistics(double[] ChannelMean, double[] ChannelStd, double[] ClassFrequency, double IgnoreFrequency)
{
    /// <summary>Computes RGB mean/std on the 0–255 scale and the pixel fraction of each train id over the whole dataset.</summary>
    public static DatasetStatistics Compute(ISegmentationDataset dataset)
    {
        var sum = new double[3];
        var sumSquares = new double[3];
        var counts = new long[256];
        long pixels = 0;
        for (var i = 0; i < dataset.Count; i++)
        {
            var sample = dataset.Load(i);
            var image = sample.Image;
            for (var p = 0; p < image.Length; p += 3)
            {
                for (var c = 0; c < 3; c++)
                {
                    double v = image[p + c];
                    sum[c] += v;
                    sumSquares[c] += v * v;
                }
            }

            if (sample.Label is { } label)
            {
                foreach (var v in label)
                {
                    counts[v]++;
                }
            }

            pixels += sample.Width * sample.Height;
        }

        var mean = sum.Select(s => s / pixels).ToArray();
        var std = sumSquares.Select((s, c) => Math.Sqrt(Math.Max(0, (s / pixels) - (mean[c] * mean[c])))).ToArray();
        var classes = dataset.LabelSpace.ClassCount;
        var frequency = Enumerable.Range(0, classes).Select(c => counts[c] / (double)pixels).ToArray();
        return new DatasetStatistics(mean, std, frequency, counts[LabelSpace.IgnoreIndex] / (double)pixels);
    }
}
