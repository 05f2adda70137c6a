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
/// <c>‖f − μ‖² − 2(f − μ)·(c − μ) + ‖c − μ‖²</c> (μ = the centroid mean, clamped at 0) so no <c>[N, C, D, h, w]</c> tensor is built.
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
        var prototypeLabels = SelectorValidation.Upsample(weights, arguments.OfflineLabels).argmax(1);
        return SelectorValidation.Compose(arguments.OfflineLabels, arguments.OfflineLabels.eq(prototypeLabels));
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
        var featureNorms = centeredFeatures.pow(Scalars.Of(2)).sum(1, keepdim: true);
        var products = centeredFeatures.permute(0, 2, 3, 1).matmul(centeredCentroids.t()).permute(0, 3, 1, 2);
        var centroidNorms = centeredCentroids.pow(Scalars.Of(2)).sum(1).reshape(1, -1, 1, 1);
        return featureNorms.sub(products.mul(Scalars.Of(2.0))).add(centroidNorms, Scalars.One).clamp_min(Scalars.Of(0.0)).sqrt();
    }
}
