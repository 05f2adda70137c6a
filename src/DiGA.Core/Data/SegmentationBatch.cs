using static TorchSharp.torch;

namespace DiGA.Core.Data;

/// <summary>A collated batch handed over by <see cref="SegmentationDataLoader"/>.</summary>
/// <remarks>
/// The batch owns its tensors; dispose it (or move the tensors to another scope) when done. The tensors live on the
/// loader's device and were created on the consuming thread.
/// </remarks>
public sealed class SegmentationBatch : IDisposable
{
    internal SegmentationBatch(Tensor images, Tensor? labels, IReadOnlyList<string> ids, long batchIndex, long epoch)
    {
        Images = images;
        Labels = labels;
        Ids = ids;
        BatchIndex = batchIndex;
        Epoch = epoch;
    }

    /// <summary>Gets the normalised images, <c>[N, 3, H, W]</c> float32.</summary>
    public Tensor Images { get; }

    /// <summary>Gets the train-id labels, <c>[N, H, W]</c> int64 with 255 = ignore, or <see langword="null"/> for unlabelled data.</summary>
    public Tensor? Labels { get; }

    /// <summary>Gets the sample identifiers, in batch order.</summary>
    public IReadOnlyList<string> Ids { get; }

    /// <summary>Gets the global index of this batch (counting from the first batch of epoch 0).</summary>
    public long BatchIndex { get; }

    /// <summary>Gets the epoch this batch belongs to.</summary>
    public long Epoch { get; }

    /// <summary>Gets the number of samples.</summary>
    public int Count => Ids.Count;

    /// <inheritdoc />
    public void Dispose()
    {
        Images.Dispose();
        Labels?.Dispose();
    }
}
