using System.ComponentModel.DataAnnotations;
using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Testing;

/// <summary>
/// A consistent, seeded batch of selector inputs with a known answer, for unit tests of <see cref="IPseudoLabelSelector"/>
/// implementations.
/// </summary>
/// <remarks>
/// <para>
/// Every cell of the teacher's <c>h × w</c> grid gets a random class. Its feature vector sits on that class's centroid (the centroids
/// are orthogonal with norm 10, plus noise of 0.05), and its logits are 8 for that class and about 0 elsewhere (noise 0.02). At label
/// resolution, <see cref="TrueLabels"/> is the class with the largest bilinear (align-corners) weight of the cell class map: the
/// teacher's argmax of its upsampled logits and the nearest-centroid label of its upsampled distances both equal it. Label pixels
/// where two classes have almost equal weight (gap below 0.1) are ambiguous; their offline label is 255.
/// </para>
/// <para>
/// <see cref="OfflineLabels"/> equals <see cref="TrueLabels"/> except on a random <see cref="SelectorTestDataOptions.NoiseRate"/> of
/// pixels (a different class) and a random <see cref="SelectorTestDataOptions.IgnoreRate"/> of pixels (255).
/// <see cref="ExpectedAgreement"/> marks the pixels where the offline label equals the true one: the answer of the reference dynamic
/// selector and of any "offline label equals teacher argmax" selector. All tensors are on the CPU and owned by this instance.
/// </para>
/// </remarks>
public sealed class SelectorTestData : IDisposable
{
    private const double AmbiguityGap = 0.1;

    private SelectorTestData(Tensor offlineLabels, Tensor teacherLogits, Tensor teacherFeatures, Tensor centroids, Tensor trueLabels)
    {
        OfflineLabels = offlineLabels;
        TeacherLogits = teacherLogits;
        TeacherFeatures = teacherFeatures;
        Centroids = centroids;
        TrueLabels = trueLabels;
        ExpectedAgreement = offlineLabels.eq(trueLabels);
    }

    /// <summary>Gets the offline pseudo-labels <c>[N, H, W]</c>, int64, values in <c>[0, C)</c> or 255.</summary>
    public Tensor OfflineLabels { get; }

    /// <summary>Gets the teacher logits <c>[N, C, h, w]</c>, float32.</summary>
    public Tensor TeacherLogits { get; }

    /// <summary>Gets the teacher features <c>[N, D, h, w]</c>, float32.</summary>
    public Tensor TeacherFeatures { get; }

    /// <summary>Gets the class centroids <c>[C, D]</c>, float32.</summary>
    public Tensor Centroids { get; }

    /// <summary>Gets the true class of every label pixel <c>[N, H, W]</c>, int64: the teacher's and the nearest centroid's answer.</summary>
    public Tensor TrueLabels { get; }

    /// <summary>Gets where the offline label equals the true class <c>[N, H, W]</c>, bool (never on 255 pixels).</summary>
    public Tensor ExpectedAgreement { get; }

    /// <summary>Gets the selector arguments built from this data, centroids included; the tensors stay owned by this instance.</summary>
    public PseudoLabelArguments Arguments => new(OfflineLabels, TeacherLogits, TeacherFeatures) { Centroids = Centroids };

    /// <summary>Creates a batch.</summary>
    /// <param name="options">The sizes, noise and seed; <see langword="null"/> uses the defaults.</param>
    /// <returns>New data owned by the caller.</returns>
    /// <exception cref="ArgumentException">An option is out of range, or <see cref="SelectorTestDataOptions.FeatureChannels"/> is below the class count.</exception>
    public static SelectorTestData Create(SelectorTestDataOptions? options = null)
    {
        options ??= new SelectorTestDataOptions();
        var problems = new List<ValidationResult>();
        if (!Validator.TryValidateObject(options, new ValidationContext(options), problems, validateAllProperties: true))
        {
            throw new ArgumentException($"Invalid {nameof(SelectorTestDataOptions)}: {string.Join(" ", problems.Select(p => p.ErrorMessage))}", nameof(options));
        }
        if (options.FeatureChannels < options.ClassCount)
        {
            throw new ArgumentException(
                $"FeatureChannels ({options.FeatureChannels}) must be at least ClassCount ({options.ClassCount}) for orthogonal centroids.", nameof(options));
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var generator = new Generator((ulong)(uint)options.Seed);
        var (n, c, d, h, w) = (options.BatchSize, options.ClassCount, options.FeatureChannels, options.Height, options.Width);
        var labelSize = new long[] { options.LabelHeight, options.LabelWidth };

        var (q, _) = linalg.qr(randn(d, c, generator: generator));
        var centroids = q.t().mul(10.0).contiguous();
        var cells = randint(0, c, [n, h, w], generator: generator, dtype: ScalarType.Int64);
        var features = centroids.index_select(0, cells.flatten()).reshape(n, h, w, d).permute(0, 3, 1, 2)
            .add(randn(n, d, h, w, generator: generator).mul(0.05)).contiguous();
        var oneHot = nn.functional.one_hot(cells, c).permute(0, 3, 1, 2).to(ScalarType.Float32);
        var logits = oneHot.mul(8.0).add(randn(n, c, h, w, generator: generator).mul(0.02));

        var weights = nn.functional.interpolate(oneHot, labelSize, mode: InterpolationMode.Bilinear, align_corners: true);
        var (top, trueLabels) = weights.topk(2, 1);
        var ambiguous = top.select(1, 0).sub(top.select(1, 1)).lt(AmbiguityGap);
        var truth = trueLabels.select(1, 0);

        var offline = truth.clone();
        var noisy = rand(truth.shape, generator: generator).lt(options.NoiseRate);
        var wrong = truth.add(randint(1, c, truth.shape, generator: generator, dtype: ScalarType.Int64)).remainder(c);
        offline = where(noisy, wrong, offline);
        var ignored = rand(truth.shape, generator: generator).lt(options.IgnoreRate).logical_or(ambiguous);
        offline = offline.masked_fill(ignored, 255);

        var data = new SelectorTestData(offline, logits, features, centroids, truth);
        foreach (var tensor in new[] { data.OfflineLabels, data.TeacherLogits, data.TeacherFeatures, data.Centroids, data.TrueLabels, data.ExpectedAgreement })
        {
            tensor.MoveToOuterDisposeScope();
        }

        return data;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        OfflineLabels.Dispose();
        TeacherLogits.Dispose();
        TeacherFeatures.Dispose();
        Centroids.Dispose();
        TrueLabels.Dispose();
        ExpectedAgreement.Dispose();
    }
}
