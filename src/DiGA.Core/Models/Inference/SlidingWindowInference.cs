using DiGA.Core.Foundation;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace DiGA.Core.Models.Inference;

/// <summary>
/// Sliding-window inference for images of any size: windows of a fixed size are placed every stride (the last row and
/// column of windows are aligned with the bottom and right borders); each window's logits and features are resized
/// bilinearly (<c>align_corners = true</c>) to the window size and averaged where windows overlap.
/// </summary>
/// <remarks>
/// Images smaller than the window are zero-padded at the bottom and right to the window size and the result is cropped back.
/// <c>Forward</c> returns logits <c>[N, C, H, W]</c> and features <c>[N, D, H, W]</c> at input resolution (the predictor asks
/// for the logits alone, and then no features are resized or accumulated). It runs under <c>no_grad</c>; putting the model
/// in evaluation mode is the caller's job.
/// </remarks>
internal sealed class SlidingWindowInference : DelegatingSegmentationModel
{
    private readonly SlidingWindowInferenceOptions _options;

    /// <summary>Initialises a new decorator.</summary>
    /// <param name="innerModel">The model to run.</param>
    /// <param name="options">The window geometry; <see langword="null"/> uses the defaults (512×896 windows).</param>
    /// <param name="ownsInnerModel">Whether disposing the decorator disposes <paramref name="innerModel"/>.</param>
    public SlidingWindowInference(ISegmentationModel innerModel, SlidingWindowInferenceOptions? options = null, bool ownsInnerModel = true)
        : base(innerModel, ownsInnerModel)
    {
        var source = options ?? new SlidingWindowInferenceOptions();
        source.Validate();
        _options = new SlidingWindowInferenceOptions
        {
            WindowHeight = source.WindowHeight,
            WindowWidth = source.WindowWidth,
            StrideHeight = source.StrideHeight,
            StrideWidth = source.StrideWidth,
        };
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
        long height = images.shape[2], width = images.shape[3];
        long paddedHeight = Math.Max(height, _options.WindowHeight), paddedWidth = Math.Max(width, _options.WindowWidth);
        var padded = paddedHeight == height && paddedWidth == width
            ? images
            : pad(images, [0, paddedWidth - width, 0, paddedHeight - height]);
        Tensor? logitSum = null;
        Tensor? featureSum = null;
        var count = zeros([1, 1, paddedHeight, paddedWidth], dtype: images.dtype, device: images.device);
        long[] window = [_options.WindowHeight, _options.WindowWidth];
        foreach (var top in Starts(paddedHeight, _options.WindowHeight, _options.StrideHeight))
        {
            foreach (var left in Starts(paddedWidth, _options.WindowWidth, _options.StrideWidth))
            {
                using var windowScope = NewDisposeScope();
                var crop = padded[.., .., TensorIndex.Slice(top, top + window[0]), TensorIndex.Slice(left, left + window[1])].contiguous();
                Tensor windowLogits;
                if (withFeatures)
                {
                    using var output = InnerModel.Forward(crop);
                    windowLogits = output.Logits.alias();
                    var features = interpolate(output.Features, size: window, mode: InterpolationMode.Bilinear, align_corners: true);
                    featureSum ??= zeros([images.shape[0], features.shape[1], paddedHeight, paddedWidth], dtype: features.dtype, device: features.device).MoveToOuterDisposeScope();
                    featureSum[.., .., TensorIndex.Slice(top, top + window[0]), TensorIndex.Slice(left, left + window[1])].add_(features, Scalars.One);
                }
                else
                {
                    windowLogits = ForwardLogits(InnerModel, crop);
                }

                var logits = interpolate(windowLogits, size: window, mode: InterpolationMode.Bilinear, align_corners: true);
                logitSum ??= zeros([images.shape[0], logits.shape[1], paddedHeight, paddedWidth], dtype: logits.dtype, device: logits.device).MoveToOuterDisposeScope();
                logitSum[.., .., TensorIndex.Slice(top, top + window[0]), TensorIndex.Slice(left, left + window[1])].add_(logits, Scalars.One);
                count[.., .., TensorIndex.Slice(top, top + window[0]), TensorIndex.Slice(left, left + window[1])].add_(Scalars.Of(1.0), Scalars.One);
            }
        }

        var rows = TensorIndex.Slice(0, height);
        var columns = TensorIndex.Slice(0, width);
        var logitsOut = logitSum!.div_(count)[.., .., rows, columns].contiguous();
        var featuresOut = featureSum?.div_(count)[.., .., rows, columns].contiguous();
        return (logitsOut.MoveToOuterDisposeScope(), featuresOut?.MoveToOuterDisposeScope());
    }

    /// <inheritdoc />
    public override ISegmentationModel Clone() => new SlidingWindowInference(InnerModel.Clone(), _options, ownsInnerModel: true);

    /// <summary>Window start offsets covering <c>[0, length)</c>: every <paramref name="stride"/>, plus one window aligned with the end.</summary>
    internal static IReadOnlyList<long> Starts(long length, long window, long stride)
    {
        var starts = new List<long>();
        for (long start = 0; start + window < length; start += stride)
        {
            starts.Add(start);
        }

        starts.Add(length - window);
        return starts;
    }
}
