using DiGA.Core.Foundation;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace DiGA.Core.Models.Inference;

/// <summary>
/// Multi-scale inference with max-of-logits fusion, the reference evaluation and pseudo-labelling protocol:
/// for each scale s the image is resized bilinearly (<c>align_corners = true</c>) to <c>round(s·H) × round(s·W)</c>,
/// its logits are resized bilinearly (<c>align_corners = true</c>) to <c>H × W</c>, and the element-wise maximum over all passes is returned.
/// </summary>
/// <remarks>
/// <para><c>Forward</c> returns logits <c>[N, C, H, W]</c> at input resolution and the features of the first scale's
/// unflipped pass, resized the same way to <c>[N, D, H, W]</c> (D·H·W floats per image). It runs under <c>no_grad</c>;
/// putting the model in evaluation mode is the caller's job (the reference evaluates in <c>eval()</c>).</para>
/// <para>The predictor asks for the logits alone, and then no features are resized.</para>
/// <para>With <see cref="MultiScaleInferenceOptions.HorizontalFlip"/> each scale also runs on the mirrored image; its logits are mirrored back and enter the same maximum.</para>
/// </remarks>
internal sealed class MultiScaleInference : DelegatingSegmentationModel
{
    private readonly MultiScaleInferenceOptions _options;

    /// <summary>Initialises a new decorator.</summary>
    /// <param name="innerModel">The model to run.</param>
    /// <param name="options">The scales; <see langword="null"/> means 1.0 and 0.5 without flip.</param>
    /// <param name="ownsInnerModel">Whether disposing the decorator disposes <paramref name="innerModel"/>.</param>
    public MultiScaleInference(ISegmentationModel innerModel, MultiScaleInferenceOptions? options = null, bool ownsInnerModel = true)
        : base(innerModel, ownsInnerModel)
    {
        var copy = options ?? new MultiScaleInferenceOptions();
        copy.Validate();
        _options = new MultiScaleInferenceOptions { Scales = [.. copy.Scales], HorizontalFlip = copy.HorizontalFlip };
    }

    /// <inheritdoc />
    public override SegmentationOutput Forward(Tensor images)
    {
        var (logits, features) = Run(images, withFeatures: true);
        return new SegmentationOutput(logits, features!);
    }

    /// <inheritdoc />
    protected override Tensor ForwardLogits(Tensor images) => Run(images, withFeatures: false).Logits;

    private (Tensor Logits, Tensor? Features) Run(Tensor images, bool withFeatures)
    {
        Guard.Images(images, nameof(images));

        using var scope = NewDisposeScope();
        using var guard = no_grad();
        long[] size = [images.shape[2], images.shape[3]];
        Tensor? fused = null;
        Tensor? features = null;
        foreach (var scale in _options.Scales)
        {
            var scaled = scale == 1.0
                ? images
                : interpolate(images, size: [Scaled(size[0], scale), Scaled(size[1], scale)], mode: InterpolationMode.Bilinear, align_corners: true);
            foreach (var flip in _options.HorizontalFlip ? new[] { false, true } : [false])
            {
                var input = flip ? scaled.flip(3) : scaled;
                Tensor passLogits;
                if (withFeatures)
                {
                    using var output = InnerModel.Forward(input);
                    passLogits = output.Logits.alias();
                    features ??= interpolate(output.Features, size: size, mode: InterpolationMode.Bilinear, align_corners: true);
                }
                else
                {
                    passLogits = ForwardLogits(InnerModel, input);
                }

                var logits = interpolate(passLogits, size: size, mode: InterpolationMode.Bilinear, align_corners: true);
                if (flip)
                {
                    logits = logits.flip(3);
                }

                fused = fused is null ? logits : maximum(fused, logits);
            }
        }

        return (fused!.MoveToOuterDisposeScope(), features?.MoveToOuterDisposeScope());
    }

    /// <inheritdoc />
    public override ISegmentationModel Clone() => new MultiScaleInference(InnerModel.Clone(), _options, ownsInnerModel: true);

    private static long Scaled(long length, double scale) => Math.Max(1L, (long)Math.Round(length * scale, MidpointRounding.AwayFromZero));
}
