using DiGA.Core.Models;
using DiGA.Core.Models.Compact;
using DiGA.Core.Models.Inference;
using DiGA.Core.Tests.Helpers;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace DiGA.Core.Tests.Models.Inference;

public sealed class SegmentationPredictorTests
{
    private const int ClassCount = 3;

    private static CompactSegmentationModel SeededModel() =>
        new(new CompactSegmentationModelOptions { ClassNames = ["a", "b", "c"], Width = 16, FeatureChannels = 32, Device = "cpu", Seed = 11 });

    private static Tensor Images(int batch, int height, int width, ulong seed = 3)
    {
        using var generator = new Generator(seed, CPU);
        return randn([batch, 3, height, width], generator: generator);
    }

    public static TheoryData<int, int, int?, int?, int?, int?> OddSizes => new()
    {
        // Own size (no input scale).
        { 17, 23, null, null, null, null },
        { 5, 9, null, null, null, null },
        // Resized to a training height of 24, one window.
        { 33, 47, 24, 40, null, null },
        // Resized to a training height of 24 (width 34 or 36), then covered by 16×16 windows.
        { 33, 47, 24, 40, 16, 16 },
        { 19, 29, 24, 40, 16, 16 },
    };

    [Theory]
    [MemberData(nameof(OddSizes))]
    public void Predict_OddImageSize_ReturnsLogitsAndLabelsAtTheInputSize(int height, int width, int? imageHeight, int? imageWidth, int? cropHeight, int? cropWidth)
    {
        using var model = SeededModel();
        var scale = imageHeight is { } h ? new InputScale(h, imageWidth!.Value, cropHeight, cropWidth) : null;
        var predictor = new SegmentationPredictor(model, new SegmentationPredictorOptions { InputScale = scale });
        using var images = Images(2, height, width);

        using var logits = predictor.PredictLogits(images);
        using var labels = predictor.PredictLabels(images);

        logits.shape.Should().Equal(2, ClassCount, height, width);
        labels.shape.Should().Equal(2, height, width);
        logits.requires_grad.Should().BeFalse();
        model.Module.training.Should().BeFalse("the predictor puts the model in eval mode");
    }

    [Fact]
    public void PredictLabels_AreInt64TrainIdsInRange_AndTheArgmaxOfTheLogits()
    {
        using var model = SeededModel();
        var predictor = new SegmentationPredictor(model, new SegmentationPredictorOptions { Scales = [1.0, 0.5] });
        using var images = Images(2, 40, 56);

        using var labels = predictor.PredictLabels(images);
        using var logits = predictor.PredictLogits(images);

        labels.dtype.Should().Be(ScalarType.Int64);
        labels.min().item<long>().Should().BeGreaterThanOrEqualTo(0);
        labels.max().item<long>().Should().BeLessThan(ClassCount);
        // Exact: the same calls on the same input in one process, then an argmax of identical values.
        using var argmax = logits.argmax(1);
        TensorAssert.Equal(labels, argmax);
        // A seeded random model on noise predicts more than one class, so the range check above is not satisfied by a constant.
        labels.unique().Item1.numel().Should().BeGreaterThan(1);
    }

    [Fact]
    public void HorizontalFlip_PredictionOfFlippedImage_IsTheFlippedPrediction()
    {
        using var model = SeededModel();
        var flipping = new SegmentationPredictor(model, new SegmentationPredictorOptions { HorizontalFlip = true });
        using var images = Images(1, 36, 52);
        using var flipped = images.flip(3);

        using var logits = flipping.PredictLogits(images);
        using var logitsOfFlipped = flipping.PredictLogits(flipped);
        using var labels = flipping.PredictLabels(images);
        using var labelsOfFlipped = flipping.PredictLabels(flipped);

        // Exact: both calls run the model on the image and on its mirror image (the same values in the same shapes), and the
        // element-wise maximum of a map and its mirrored twin does not depend on which one came first.
        TensorAssert.Equal(logitsOfFlipped.flip(3), logits);
        TensorAssert.Equal(labelsOfFlipped.flip(2), labels);

        // Control: the convolutional model itself is not mirror-symmetric, so without the flip the property fails.
        var plain = new SegmentationPredictor(model);
        using var plainLabels = plain.PredictLabels(images);
        using var plainLabelsOfFlipped = plain.PredictLabels(flipped);
        plainLabelsOfFlipped.flip(2).not_equal(plainLabels).sum().item<long>().Should().BePositive();
    }

    [Fact]
    public void HorizontalFlip_WithSeveralScales_PredictionOfFlippedImageIsTheFlippedPredictionUpToRounding()
    {
        using var model = SeededModel();
        var flipping = new SegmentationPredictor(model, new SegmentationPredictorOptions { Scales = [1.0, 0.75], HorizontalFlip = true });
        using var images = Images(1, 36, 52);
        using var flipped = images.flip(3);

        using var logits = flipping.PredictLogits(images);
        using var logitsOfFlipped = flipping.PredictLogits(flipped);

        // Not exact: resizing the mirror image to 0.75 computes the mirrored bilinear weights from the other border, which
        // round differently by an ulp, and the network carries that on (observed 1.5e-7 with logits up to 0.11). 1e-5 leaves
        // a margin of ~70× and still fails any real asymmetry: without the flip the two maps differ by 0.13 (checked below).
        TensorAssert.Close(logitsOfFlipped.flip(3), logits, 1e-5);

        var plain = new SegmentationPredictor(model, new SegmentationPredictorOptions { Scales = [1.0, 0.75] });
        using var plainLogits = plain.PredictLogits(images);
        using var plainLogitsOfFlipped = plain.PredictLogits(flipped);
        var asymmetry = (plainLogitsOfFlipped.flip(3) - plainLogits).abs().max().item<float>();
        asymmetry.Should().BeGreaterThan(1e-3f);
    }

    [Theory]
    [InlineData(32, 48)]
    [InlineData(64, 64)]
    public void InputScale_ImageFitsTheWindow_EqualsOneDirectForward(int cropHeight, int cropWidth)
    {
        using var model = SeededModel();
        model.Module.eval();
        var predictor = new SegmentationPredictor(model, new SegmentationPredictorOptions { InputScale = new InputScale(32, 48, cropHeight, cropWidth) });
        using var scope = NewDisposeScope();
        var images = Images(2, 32, 48);

        var predicted = predictor.PredictLogits(images);

        using var noGrad = no_grad();
        using var direct = model.Forward(images);
        var expected = interpolate(direct.Logits, size: [32, 48], mode: InterpolationMode.Bilinear, align_corners: true);
        // Exact: the image already has the training height, so it is not resized; it fits the window, so the model runs once
        // on the unpadded image (a zero-padded 64×64 window, as the sliding-window path would use, changes the border
        // activations) and its logits are upsampled by the same interpolate call.
        TensorAssert.Equal(predicted, expected);
    }

    [Fact]
    public void InputScale_ImageLargerThanTheWindow_DiffersFromOneDirectForward()
    {
        // The converse of the test above, so that it cannot pass by never windowing: a 32×96 image with 32×48 windows is
        // covered by windows whose logits are averaged, which is not the single forward pass over the whole image.
        using var model = SeededModel();
        model.Module.eval();
        var predictor = new SegmentationPredictor(model, new SegmentationPredictorOptions { InputScale = new InputScale(32, 96, 32, 48) });
        using var scope = NewDisposeScope();
        var images = Images(1, 32, 96);

        var predicted = predictor.PredictLogits(images);

        using var noGrad = no_grad();
        using var direct = model.Forward(images);
        var whole = interpolate(direct.Logits, size: [32, 96], mode: InterpolationMode.Bilinear, align_corners: true);
        using var left = model.Forward(images[.., .., .., TensorIndex.Slice(0, 48)].contiguous());
        var leftWindow = interpolate(left.Logits, size: [32, 48], mode: InterpolationMode.Bilinear, align_corners: true);
        (predicted - whole).abs().max().item<float>().Should().BeGreaterThan(1e-3f);
        // Windows start at 0, 32 and 48 (stride 32 = ⅔ of 48); columns 0–31 are seen by the first window only. Exact: the same
        // forward on the same crop, accumulated onto zeros and divided by a count of 1.
        TensorAssert.Equal(predicted[.., .., .., TensorIndex.Slice(0, 32)], leftWindow[.., .., .., TensorIndex.Slice(0, 32)]);
    }

    [Fact]
    public void Predict_BadImages_ThrowArgumentExceptionNamingTheArgument()
    {
        using var model = SeededModel();
        var predictor = new SegmentationPredictor(model);
        using var fourChannels = zeros(1, 4, 8, 8);
        using var oneChannel = zeros(1, 1, 8, 8);
        using var empty = zeros(1, 3, 0, 8);
        using var noBatchAxis = zeros(3, 8, 8);
        using var integer = zeros([1, 3, 8, 8], ScalarType.Int64);

        foreach (var bad in new[] { fourChannels, oneChannel, empty, noBatchAxis, integer })
        {
            FluentActions.Invoking(() => predictor.PredictLogits(bad)).Should().Throw<ArgumentException>()
                .Where(e => e.ParamName == "images", "shape [{0}]", string.Join(", ", bad.shape));
            FluentActions.Invoking(() => predictor.PredictLabels(bad)).Should().Throw<ArgumentException>()
                .Where(e => e.ParamName == "images", "shape [{0}]", string.Join(", ", bad.shape));
        }

        FluentActions.Invoking(() => predictor.PredictLogits(null!)).Should().Throw<ArgumentNullException>().WithParameterName("images");
        FluentActions.Invoking(() => predictor.PredictLabels(null!)).Should().Throw<ArgumentNullException>().WithParameterName("images");
        FluentActions.Invoking(() => new SegmentationPredictor(null!)).Should().Throw<ArgumentNullException>().WithParameterName("model");
    }

    [Fact]
    public void Constructor_BadOptions_ThrowArgumentExceptionNamingTheOptions()
    {
        using var model = SeededModel();

        FluentActions.Invoking(() => new SegmentationPredictor(model, new SegmentationPredictorOptions { Scales = [] }))
            .Should().Throw<ArgumentException>().WithParameterName("options");
        FluentActions.Invoking(() => new SegmentationPredictor(model, new SegmentationPredictorOptions { Scales = [0.0] }))
            .Should().Throw<ArgumentException>().WithParameterName("options").WithMessage("*Scales*");
        FluentActions.Invoking(() => new SegmentationPredictor(model, new SegmentationPredictorOptions { WindowOverlap = 0.95 }))
            .Should().Throw<ArgumentException>().WithParameterName("options").WithMessage("*WindowOverlap*");
        FluentActions.Invoking(() => new SegmentationPredictor(model, new SegmentationPredictorOptions { InputScale = new InputScale(0, 48) }))
            .Should().Throw<ArgumentException>().WithParameterName("options").WithMessage("*InputScale*");
        FluentActions.Invoking(() => new SegmentationPredictor(model, new SegmentationPredictorOptions { InputScale = new InputScale(32, 48, 0, 16) }))
            .Should().Throw<ArgumentException>().WithParameterName("options").WithMessage("*InputScale*");
    }
}
