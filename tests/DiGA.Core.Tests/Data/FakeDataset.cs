using DiGA.Core.Data;
using DiGA.Core.Labels;

namespace DiGA.Core.Tests.Data;

/// <summary>An in-memory dataset whose sample i has every pixel and label equal to i (mod 250), for loader tests.</summary>
internal sealed class FakeDataset(int count, int height = 4, int width = 6, bool labelled = true, int delayMs = 0, IReadOnlySet<int>? failing = null) : ISegmentationDataset
{
    private int _loads;

    public int Loads => Volatile.Read(ref _loads);

    public string Name => "fake";

    public int Count => count;

    public LabelSpace LabelSpace => LabelSpace.Cityscapes19;

    public bool HasLabels => labelled;

    public IReadOnlyList<SkippedSample> SkippedSamples => [];

    public SegmentationSample Load(int index)
    {
        Interlocked.Increment(ref _loads);
        if (delayMs > 0)
        {
            Thread.Sleep(delayMs);
        }

        if (failing?.Contains(index) == true)
        {
            throw new DatasetFileException($"sample{index}.png", "corrupt for the test.");
        }

        var value = (byte)(index % 250);
        var image = Enumerable.Repeat(value, height * width * 3).ToArray();
        var label = labelled ? Enumerable.Repeat((byte)(index % 19), height * width).ToArray() : null;
        return new SegmentationSample($"s{index}", width, height, image, label);
    }

    public string DescribeSample(int index) => $"fake[{index}]";
}
