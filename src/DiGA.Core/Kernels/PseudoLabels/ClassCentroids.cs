using DiGA.Core.Foundation;
using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Kernels.PseudoLabels;

/// <summary>The per-class feature centroids <c>[C, D]</c> of the dynamic pseudo-label selection, with their initial and online updates.</summary>
/// <remarks>
/// <para>
/// Owns its tensors: <see cref="Centroids"/> is updated in place and stays the same tensor object for the lifetime of the instance
/// (pass it as <see cref="PseudoLabelArguments.Centroids"/>); disposing the instance disposes it. Not thread-safe.
/// </para>
/// <para>
/// Per image and class k, the mean feature <c>v_k</c> is taken over the pixels of a mask; it counts when the mask has at least
/// <see cref="ClassCentroidOptions.MinPixels"/> pixels and <c>Σ v_k ≠ 0</c>. Images are applied sequentially in batch order, in
/// closed form over the batch (<c>c ← Π(1 − w_j)·c + Σ_j w_j·Π_{l&gt;j}(1 − w_l)·v_j</c>), so no per-image or per-class host loop and
/// no host synchronisation is needed.
/// </para>
/// </remarks>
public sealed class ClassCentroids : IDisposable
{
    private readonly ClassCentroidOptions _options;
    private readonly Tensor _counts;
    private bool _disposed;

    /// <summary>Initialises the centroids from a copy of <paramref name="centroids"/>.</summary>
    /// <param name="centroids">Centroids <c>[C, D]</c>, floating point; copied as float32 on the same device, not disposed.</param>
    /// <param name="options">The options; <see langword="null"/> uses the reference values.</param>
    /// <exception cref="ArgumentException">The tensor is not two-dimensional floating point, or an option is out of range.</exception>
    public ClassCentroids(Tensor centroids, ClassCentroidOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(centroids);
        if (centroids.dim() != 2 || !centroids.is_floating_point())
        {
            throw new ArgumentException($"Expected floating-point centroids [C, D], got {centroids.dtype} [{string.Join(", ", centroids.shape)}].", nameof(centroids));
        }

        _options = options ?? new ClassCentroidOptions();
        Guard.Options(_options, nameof(options));
        using (no_grad())
        {
            Centroids = centroids.detach().to(ScalarType.Float32).clone();
        }

        _counts = zeros(centroids.shape[0], ScalarType.Float32, centroids.device);
    }

    /// <summary>Gets the centroids <c>[C, D]</c>, float32, owned by this instance and updated in place.</summary>
    public Tensor Centroids { get; }

    /// <summary>Gets the number of classes C.</summary>
    public int ClassCount => (int)Centroids.shape[0];

    /// <summary>Gets the feature size D.</summary>
    public int FeatureChannels => (int)Centroids.shape[1];

    /// <summary>Creates zero centroids, the starting point of <see cref="Accumulate"/>.</summary>
    /// <param name="classCount">The number of classes C.</param>
    /// <param name="featureChannels">The feature size D.</param>
    /// <param name="device">The device; <see langword="null"/> is the CPU.</param>
    /// <param name="options">The options; <see langword="null"/> uses the reference values.</param>
    /// <returns>New centroids owned by the caller.</returns>
    public static ClassCentroids Zeros(int classCount, int featureChannels, Device? device = null, ClassCentroidOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(featureChannels);
        using var initial = zeros(classCount, featureChannels, ScalarType.Float32, device);
        return new ClassCentroids(initial, options);
    }

    /// <summary>Computes the initial centroids of a model's predictions over a sequence of batches (the reference's offline step).</summary>
    /// <param name="batches">Model outputs (eval mode, no augmentation); each is read, not disposed.</param>
    /// <param name="classCount">The number of classes C.</param>
    /// <param name="options">The options; <see langword="null"/> uses the reference values.</param>
    /// <returns>New centroids owned by the caller; classes never predicted stay zero.</returns>
    /// <exception cref="ArgumentException">The sequence is empty or a batch has the wrong shape.</exception>
    public static ClassCentroids FromBatches(IEnumerable<SegmentationOutput> batches, int classCount, ClassCentroidOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(batches);
        ClassCentroids? result = null;
        try
        {
            foreach (var batch in batches)
            {
                ArgumentNullException.ThrowIfNull(batch, nameof(batches));
                result ??= Zeros(classCount, (int)batch.Features.shape[1], batch.Features.device, options);
                result.Accumulate(batch.Features, batch.Logits);
            }
        }
        catch
        {
            result?.Dispose();
            throw;
        }

        return result ?? throw new ArgumentException("The sequence of batches is empty.", nameof(batches));
    }

    /// <summary>Adds a batch to the initial running mean: per image and class, the mean feature over the pixels predicted as that class.</summary>
    /// <param name="features">Features <c>[N, D, h, w]</c>, float32; not disposed.</param>
    /// <param name="logits">Logits <c>[N, C, h, w]</c> on the same grid; not disposed.</param>
    /// <remarks>
    /// Per counted vector: <c>c_k ← (n_k·c_k + v)/(n_k + 1)</c>, <c>n_k ← min(n_k + 1, CountCap)</c>, images in batch order.
    /// </remarks>
    /// <exception cref="ArgumentException">The shapes do not match the centroids.</exception>
    public void Accumulate(Tensor features, Tensor logits)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Validate(features, logits);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (means, counted) = ClassMeans(features, logits.argmax(1));
        AccumulateMeansCore(means, counted);
    }

    /// <summary>The per-image class means <see cref="Accumulate"/> folds in, kept so that a later pass can replay them with <see cref="AccumulateMeans"/>.</summary>
    /// <param name="features">Features <c>[N, D, h, w]</c>, float32; not disposed.</param>
    /// <param name="logits">Logits <c>[N, C, h, w]</c> on the same grid; not disposed.</param>
    /// <returns>Means <c>[N, C, D]</c> and counted flags <c>[N, C]</c>, bool, in the caller's dispose scope.</returns>
    internal (Tensor Means, Tensor Counted) PredictedClassMeans(Tensor features, Tensor logits)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Validate(features, logits);
        using var noGrad = no_grad();
        return ClassMeans(features, logits.argmax(1));
    }

    /// <summary>Folds in class means from <see cref="PredictedClassMeans"/>: the same update as <see cref="Accumulate"/> on the batch they came from.</summary>
    /// <param name="means">Means <c>[N, C, D]</c>; not disposed.</param>
    /// <param name="counted">Counted flags <c>[N, C]</c>, bool; not disposed.</param>
    internal void AccumulateMeans(Tensor means, Tensor counted)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        AccumulateMeansCore(means, counted);
    }

    /// <summary>The online update: per image and class, the mean feature over pixels whose label and teacher prediction both equal the class.</summary>
    /// <param name="features">Teacher features <c>[N, D, h, w]</c>, float32; not disposed.</param>
    /// <param name="logits">Teacher logits <c>[N, C, h, w]</c> on the same grid; not disposed.</param>
    /// <param name="labels">Labels <c>[N, H, W]</c>, int64 (selected pseudo-labels or source labels, 255 = none), downsampled with nearest
    /// neighbour to the feature grid; not disposed.</param>
    /// <remarks>Per counted vector, images in batch order: <c>c_k ← (1 − m)·c_k + m·v</c>. Call it for the target batch, then the source batch.</remarks>
    /// <exception cref="ArgumentException">The shapes do not match the centroids.</exception>
    public void Update(Tensor features, Tensor logits, Tensor labels)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Validate(features, logits);
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.dim() != 3 || labels.shape[0] != features.shape[0] || labels.dtype != ScalarType.Int64)
        {
            throw new ArgumentException($"Expected labels [{features.shape[0]}, H, W] int64, got {labels.dtype} [{string.Join(", ", labels.shape)}].", nameof(labels));
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var down = nn.functional.interpolate(labels.unsqueeze(1).to(ScalarType.Float32), [features.shape[2], features.shape[3]], mode: InterpolationMode.Nearest)
            .squeeze(1).to(ScalarType.Int64);
        var predicted = logits.argmax(1);
        using var noClass = Scalars.Create(ClassCount);
        using var momentum = Scalars.Create(_options.Momentum);
        var agreed = where(down.eq(predicted), predicted, full_like(predicted, noClass));
        var (means, counted) = ClassMeans(features, agreed);
        var weights = counted.to(ScalarType.Float32).mul(momentum);
        Centroids.copy_(SequentialUpdate(Centroids, means, weights));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Centroids.Dispose();
        _counts.Dispose();
    }

    /// <summary>The running-mean update with the count cap, images in batch order, in closed form over the batch.</summary>
    private void AccumulateMeansCore(Tensor means, Tensor counted)
    {
        using var countCap = Scalars.Create(_options.CountCap);
        var countedFloat = counted.to(ScalarType.Float32);
        var before = _counts.unsqueeze(0).add(countedFloat.cumsum(0).sub(countedFloat), Scalars.One).clamp_max(countCap);
        var weights = countedFloat.div(before.add(Scalars.Of(1.0), Scalars.One));
        Centroids.copy_(SequentialUpdate(Centroids, means, weights));
        _counts.add_(countedFloat.sum(dim: 0), Scalars.One).clamp_max_(countCap);
    }

    /// <summary>Applies weighted updates <c>c ← (1 − w_j)·c + w_j·v_j</c> for j = 0 … N−1 in closed form.</summary>
    /// <param name="centroids">Current centroids <c>[C, D]</c>.</param>
    /// <param name="vectors">Update vectors <c>[N, C, D]</c>, finite.</param>
    /// <param name="weights">Weights <c>[N, C]</c> in [0, 1]; 0 skips the vector.</param>
    /// <returns>The updated centroids <c>[C, D]</c>.</returns>
    internal static Tensor SequentialUpdate(Tensor centroids, Tensor vectors, Tensor weights)
    {
        var keep = weights.neg().add(Scalars.Of(1.0), Scalars.One);
        var suffix = keep.flip(0).cumprod(0).flip(0);
        var after = cat([suffix.narrow(0, 1, suffix.shape[0] - 1), ones_like(suffix.narrow(0, 0, 1))], 0);
        var contribution = weights.mul(after).unsqueeze(2).mul(vectors).sum(dim: 0);
        return suffix[0].unsqueeze(1).mul(centroids).add(contribution, Scalars.One);
    }

    /// <summary>Per image and class, the mean feature over the pixels labelled with that class, and whether it counts.</summary>
    /// <param name="features">Features <c>[N, D, h, w]</c>.</param>
    /// <param name="classMap">Class map <c>[N, h, w]</c>, int64, values in [0, C]; C marks pixels of no class.</param>
    /// <returns>Means <c>[N, C, D]</c> (zero for empty classes) and the counted flags <c>[N, C]</c>, bool.</returns>
    private (Tensor Means, Tensor Counted) ClassMeans(Tensor features, Tensor classMap)
    {
        var n = features.shape[0];
        var masks = nn.functional.one_hot(classMap.reshape(n, -1), ClassCount + 1).narrow(2, 0, ClassCount).to(features.dtype).transpose(1, 2);
        var pixelCounts = masks.sum(2);
        var sums = masks.bmm(features.reshape(n, features.shape[1], -1).transpose(1, 2));
        using var minPixels = Scalars.Create(_options.MinPixels);
        var means = sums.div(pixelCounts.clamp_min(Scalars.Of(1.0)).unsqueeze(2));
        var counted = pixelCounts.ge(minPixels).logical_and(means.sum(2).ne(Scalars.Of(0)));
        return (means, counted);
    }

    private void Validate(Tensor features, Tensor logits)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(logits);
        if (features.dim() != 4 || features.shape[1] != FeatureChannels)
        {
            throw new ArgumentException($"Expected features [N, {FeatureChannels}, h, w], got [{string.Join(", ", features.shape)}].", nameof(features));
        }

        if (logits.dim() != 4 || logits.shape[0] != features.shape[0] || logits.shape[1] != ClassCount
            || logits.shape[2] != features.shape[2] || logits.shape[3] != features.shape[3])
        {
            throw new ArgumentException(
                $"Expected logits [{features.shape[0]}, {ClassCount}, {features.shape[2]}, {features.shape[3]}], got [{string.Join(", ", logits.shape)}].", nameof(logits));
        }
    }
}
