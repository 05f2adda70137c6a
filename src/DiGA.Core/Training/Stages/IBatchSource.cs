using DiGA.Core.Data;

namespace DiGA.Core.Training.Stages;

/// <summary>Where a training stage takes its batches from: <see cref="BatchStream"/> over a dataset, or fixed batches in parity tests.</summary>
internal interface IBatchSource
{
    /// <summary>Positions the source so that the next batch is the one of <paramref name="batchIndex"/>.</summary>
    void Seek(long batchIndex);

    /// <summary>Takes the next batch; its tensors belong to the current dispose scope.</summary>
    SegmentationBatch Next();
}
