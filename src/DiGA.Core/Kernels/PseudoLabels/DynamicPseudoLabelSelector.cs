using DiGA.Core.Foundation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Kernels.PseudoLabels;

/// <summary>The reference threshold-free dynamic selection: keep an offline label where it equals the nearest-centroid label.</summary>
/// <remarks>
/// <c>D_k = ‖φ − c_k‖₂</c> on the feature grid, <c>ŷ_proto = argmax_k Up(softmax_k(−D))</c> with bilinear, align-corners upsampling
/// to the label size, and the offline label is kept where it equals <c>ŷ_proto</c> (255 elsewhere). Distances use
/// <c>‖f − μ‖² − 2(f − μ)·(c − μ) + ‖c − μ‖²</c> (μ = the centroid mean, clamped at 0) so no <c>[N, C, D, h, w]</c> tensor is built,
/// and the upsampled weights are built one image at a time.
/// Requires <see cref="PseudoLabelArguments.Centroids"/> (<c>[C, D]</c>, see <see cref="ClassCentroids"/>). Stateless and thread-safe;
/// runs without gradients or host synchronisation.
/// </remarks>
public sealed class DynamicPseudoLabelSelector : IPseudoLabelSelector
{
    /// <summary>Initialises the selector.</summary>
    /// <param name="logger">An optional logger for the configuration message.</param>
    public DynamicPseudoLabelSelector(ILogger<DynamicPseudoLabelSelector>? logger = null) =>
        (logger ?? NullLogger<DynamicPseudoLabelSelector>.Instance).Created(nameof(DynamicPseudoLabelSelector), "nearest-centroid agreement");

    /// <inheritdoc />
    /// <exception cref="ArgumentException">A tensor is missing (including the centroids) or has the wrong shape.</exception>
    public PseudoLabelSelection Select(in PseudoLabelArguments arguments)
    {
        SelectorValidation.Validate(arguments, needsFeatures: true);
        var centroids = arguments.Centroids
            ?? throw new ArgumentException("PseudoLabelArguments.Centroids is null: the dynamic selector needs the class centroids [C, D].", nameof(arguments));
        var (logits, features) = (arguments.TeacherLogits, arguments.TeacherFeatures);
        if (centroids.dim() != 2 || centroids.shape[0] != logits.shape[1] || centroids.shape[1] != features.shape[1])
        {
            throw new ArgumentException(
                $"Expected Centroids [{logits.shape[1]}, {features.shape[1]}] (classes × feature channels), got [{SelectorValidation.Shape(centroids)}].", nameof(arguments));
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var weights = nn.functional.softmax(Distances(features, centroids).neg(), 1);
        var offline = arguments.OfflineLabels;
        var agree = cat(Enumerable.Range(0, (int)offline.shape[0]).Select(i => Agreement(weights[i..(i + 1)], offline[i..(i + 1)])).ToList(), 0);
        return SelectorValidation.Compose(offline, agree);
    }

    /// <summary>Where one image's offline labels equal its prototype labels, <c>[1, H, W]</c>.</summary>
    /// <remarks>
    /// One image at a time: the upsampled class weights <c>[1, C, H, W]</c> are the largest tensor of the selection (C times the
    /// labels' size in float), and interpolation and argmax act on each image alone, so the result is the same as for the batch.
    /// </remarks>
    private static Tensor Agreement(Tensor weights, Tensor offline)
    {
        using var scope = NewDisposeScope();
        return offline.eq(SelectorValidation.Upsample(weights, offline).argmax(1)).MoveToOuterDisposeScope();
    }

    /// <summary>Euclidean distances of every feature vector to every centroid.</summary>
    /// <param name="features">Features <c>[N, D, h, w]</c>.</param>
    /// <param name="centroids">Centroids <c>[C, D]</c>.</param>
    /// <returns>Distances <c>[N, C, h, w]</c>.</returns>
    internal static Tensor Distances(Tensor features, Tensor centroids)
    {
        var center = centroids.mean([0]);
        var centeredCentroids = centroids.sub(center);
        var centeredFeatures = features.sub(center.reshape(1, -1, 1, 1));

        // One feature-sized temporary (the centred features): the norms are a reduction, and the products a batched matmul
        // [C, D] × [N, D, h·w] that lands in the [N, C, h, w] layout without a permuted copy of the features.
        var featureNorms = centeredFeatures.norm(1, keepdim: true).pow_(Scalars.Of(2));
        var (n, d, h, w) = (features.shape[0], features.shape[1], features.shape[2], features.shape[3]);
        var products = centeredCentroids.matmul(centeredFeatures.reshape(n, d, h * w)).view(n, -1, h, w);
        var centroidNorms = centeredCentroids.pow(Scalars.Of(2)).sum(1).reshape(1, -1, 1, 1);
        return featureNorms.sub(products.mul_(Scalars.Of(2.0))).add_(centroidNorms, Scalars.One).clamp_min_(Scalars.Of(0.0)).sqrt_();
    }
}
