using DiGA.Core.Data.Transforms;
using DiGA.Core.Foundation;
using static TorchSharp.torch;

namespace DiGA.Core.Models.Inference;

/// <summary>
/// Image → label map: the one inference path of the library, used by evaluation, offline pseudo-labels, colourised
/// predictions and prediction on a user's own images.
/// </summary>
/// <remarks>
/// <para>
/// Without <see cref="SegmentationPredictorOptions.InputScale"/>, an image is predicted at its own size: the logits of
/// every scale in <see cref="SegmentationPredictorOptions.Scales"/> (and their flips) are resized to it and fused by an
/// element-wise max (the reference evaluation and pseudo-label protocol).
/// </para>
/// <para>
/// With an input scale (the scale the model was trained at, as its checkpoint records), the image is first resized so that
/// its height matches the training images' height, keeping its aspect ratio; where the resized image is larger than the
/// training window (the crop, or the whole training image) it is covered by overlapping windows of that size whose logits
/// are averaged; the fused logits are then resized back to the original size. Both resizes are bilinear with pixel centres
/// aligned (<c>align_corners = false</c>), the geometry of the data pipeline's resizing: a pixel of either grid is predicted
/// from the same part of the scene, whatever the ratio of the two sizes.
/// </para>
/// <para>The model is put in eval mode for every call and left there. Not thread-safe (one model).</para>
/// </remarks>
public sealed class SegmentationPredictor
{
    private readonly ISegmentationModel _model;
    private readonly SegmentationPredictorOptions _options;

    /// <summary>Initialises a predictor over <paramref name="model"/>, which it borrows.</summary>
    /// <param name="model">The model.</param>
    /// <param name="options">The options; <see langword="null"/> predicts at the image's own size with one scale.</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public SegmentationPredictor(ISegmentationModel model, SegmentationPredictorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        _options = (options ?? new SegmentationPredictorOptions()).Copy();
        _options.Validate();
    }

    /// <summary>Predicts class logits.</summary>
    /// <param name="images">Normalised images <c>[N, 3, H, W]</c>, float32, on the model's device; not disposed.</param>
    /// <returns>Fresh logits <c>[N, C, H, W]</c> at the images' size, owned by the caller.</returns>
    /// <exception cref="ArgumentException">The images are not <c>[N, 3, H, W]</c> floating point.</exception>
    public Tensor PredictLogits(Tensor images)
    {
        Guard.Images(images, nameof(images));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        _model.Module.eval();
        long height = images.shape[2], width = images.shape[3];
        if (_options.InputScale is not { } scale)
        {
            return Fuse(_model, images).MoveToOuterDisposeScope();
        }

        var factor = (double)scale.ImageHeight / height;
        var scaledHeight = Math.Max(1, (long)Math.Round(height * factor));
        var scaledWidth = Math.Max(1, (long)Math.Round(width * factor));
        var scaled = scaledHeight == height && scaledWidth == width
            ? images
            : Resample(images, scaledHeight, scaledWidth);
        var (windowHeight, windowWidth) = scale.Window;
        using var windows = scaledHeight > windowHeight || scaledWidth > windowWidth
            ? new SlidingWindowInference(_model, Windows(windowHeight, windowWidth), ownsInnerModel: false)
            : null;
        var logits = Fuse(windows ?? _model, scaled);
        return (logits.shape[2] == height && logits.shape[3] == width ? logits : Resample(logits, height, width)).MoveToOuterDisposeScope();
    }

    /// <summary>Predicts label maps.</summary>
    /// <param name="images">Normalised images <c>[N, 3, H, W]</c>, float32, on the model's device; not disposed.</param>
    /// <returns>Fresh train ids <c>[N, H, W]</c>, int64, owned by the caller.</returns>
    public Tensor PredictLabels(Tensor images)
    {
        using var scope = NewDisposeScope();
        return PredictLogits(images).argmax(1).MoveToOuterDisposeScope();
    }

    private Tensor Fuse(ISegmentationModel model, Tensor images)
    {
        using var fused = new MultiScaleInference(model, new MultiScaleInferenceOptions { Scales = [.. _options.Scales], HorizontalFlip = _options.HorizontalFlip }, ownsInnerModel: false);
        return DelegatingSegmentationModel.ForwardLogits(fused, images);
    }

    /// <summary>
    /// Resizes between the image's grid and the training scale's with pixel centres aligned. Corner alignment (the reference's
    /// convention for logits at the model's stride) would stretch the image by (n − 1)/(N − 1)·N/n and shift predictions by up
    /// to half a training-scale pixel at the borders.
    /// </summary>
    private static Tensor Resample(Tensor x, long height, long width) =>
        nn.functional.interpolate(x, [height, width], mode: InterpolationMode.Bilinear, align_corners: false);

    private SlidingWindowInferenceOptions Windows(int height, int width) => new()
    {
        WindowHeight = height,
        WindowWidth = width,
        StrideHeight = Math.Max(1, (int)Math.Round(height * (1 - _options.WindowOverlap))),
        StrideWidth = Math.Max(1, (int)Math.Round(width * (1 - _options.WindowOverlap))),
    };
}
