using DiGA.Core.Foundation;
using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Kernels.Metrics;

/// <summary>A <c>[C, C]</c> confusion matrix (rows = ground truth, columns = prediction) accumulated on the device.</summary>
/// <remarks>
/// Pixels whose ground truth lies outside <c>[0, C)</c> (the ignore index 255 among them) are skipped, as in the reference.
/// <see cref="Update"/> never synchronises with the host; only <see cref="ComputeMetrics"/> copies the <c>C × C</c> counts.
/// The matrix owns its tensor: dispose it when done.
/// </remarks>
public sealed class ConfusionMatrix : IDisposable
{
    private readonly Tensor _counts;

    /// <summary>Initialises an empty matrix.</summary>
    /// <param name="classCount">The number of classes C.</param>
    /// <param name="device">The device of the predictions and labels that will be accumulated.</param>
    public ConfusionMatrix(int classCount, Device device)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        ArgumentNullException.ThrowIfNull(device);
        ClassCount = classCount;
        _counts = zeros([classCount * (long)classCount], ScalarType.Int64, device);
    }

    /// <summary>Gets the number of classes C.</summary>
    public int ClassCount { get; }

    /// <summary>Adds a batch of predictions.</summary>
    /// <param name="predictions">Predicted classes <c>[N, H, W]</c> (or any shape), integer, values in <c>[0, C)</c>.</param>
    /// <param name="labels">Ground truth of the same shape, integer; values outside <c>[0, C)</c> are ignored.</param>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public void Update(Tensor predictions, Tensor labels)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(labels);
        if (!predictions.shape.SequenceEqual(labels.shape))
        {
            throw new ArgumentException($"Predictions [{string.Join(", ", predictions.shape)}] and labels [{string.Join(", ", labels.shape)}] must have the same shape.", nameof(labels));
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var truth = labels.flatten().to(ScalarType.Int64);
        var predicted = predictions.flatten().to(ScalarType.Int64);
        using var classCount = Scalars.Create(ClassCount);
        var valid = truth.ge(Scalars.Of(0)).logical_and_(truth.lt(classCount));
        var index = truth.mul(classCount).add(predicted, Scalars.One).masked_select(valid);
        _counts.add_(bincount(index, null, (long)ClassCount * ClassCount), Scalars.One);
    }

    /// <summary>Adds every count of another matrix of the same size.</summary>
    /// <param name="other">The matrix to add.</param>
    public void Add(ConfusionMatrix other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.ClassCount != ClassCount)
        {
            throw new ArgumentException($"Cannot add a {other.ClassCount}-class matrix to a {ClassCount}-class matrix.", nameof(other));
        }

        _counts.add_(other._counts.to(_counts.device), Scalars.One);
    }

    /// <summary>Copies the counts to the host.</summary>
    /// <returns>A new <c>[C, C]</c> array; rows are ground truth, columns prediction.</returns>
    public long[,] ToArray()
    {
        var flat = _counts.cpu().data<long>().ToArray();
        var result = new long[ClassCount, ClassCount];
        Buffer.BlockCopy(flat, 0, result, 0, flat.Length * sizeof(long));
        return result;
    }

    /// <summary>Computes IoU per class, mIoU and pixel accuracy from the accumulated counts.</summary>
    /// <param name="classNames">The class names in train-id order; their count must equal <see cref="ClassCount"/>.</param>
    /// <returns>The metrics.</returns>
    public SegmentationMetrics ComputeMetrics(IReadOnlyList<string> classNames) => SegmentationMetrics.FromConfusion(ToArray(), classNames);

    /// <summary>Resets every count to zero.</summary>
    public void Reset() => _counts.zero_();

    /// <inheritdoc />
    public void Dispose() => _counts.Dispose();
}
