using DiGA.Core.Models.Compact;
using DiGA.Core.Models.Inference;
using DiGA.Core.Tests.Helpers;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace DiGA.Core.Tests.Models.Inference;

public sealed class InferenceDecoratorTests
{
    private static CompactSegmentationModel EvalModel()
    {
        var model = new CompactSegmentationModel(new CompactSegmentationModelOptions { ClassNames = ["a", "b", "c"], Device = "cpu", Seed = 5 });
        model.Module.eval();
        return model;
    }

    [Fact]
    public void MultiScale_DefaultScales_IsMaxOfUpsampledFullAndHalfScaleLogits()
    {
        using var model = EvalModel();
        using var decorator = new MultiScaleInference(model, ownsInnerModel: false);
        using var scope = NewDisposeScope();
        var images = randn(2, 3, 48, 80);
        using var guard = no_grad();
        using var fused = decorator.Forward(images);
        using var full = model.Forward(images);
        using var half = model.Forward(interpolate(images, size: [24, 40], mode: InterpolationMode.Bilinear, align_corners: true));
        var expected = maximum(
            interpolate(full.Logits, size: [48, 80], mode: InterpolationMode.Bilinear, align_corners: true),
            interpolate(half.Logits, size: [48, 80], mode: InterpolationMode.Bilinear, align_corners: true));
        // Exact: the decorator makes the same Forward and interpolate calls on the same values and shapes in this process, and
        // an elementwise maximum only selects.
        TensorAssert.Equal(fused.Logits, expected);
        TensorAssert.Equal(fused.Features, interpolate(full.Features, size: [48, 80], mode: InterpolationMode.Bilinear, align_corners: true));
        fused.Logits.requires_grad.Should().BeFalse();
    }

    [Fact]
    public void MultiScale_HorizontalFlip_IsInvariantToMirroringTheInput()
    {
        using var model = EvalModel();
        using var decorator = new MultiScaleInference(model, new MultiScaleInferenceOptions { Scales = [1.0], HorizontalFlip = true }, ownsInnerModel: false);
        using var scope = NewDisposeScope();
        var images = randn(1, 3, 40, 56);
        using var a = decorator.Forward(images);
        using var b = decorator.Forward(images.flip(3));
        // Exact: both calls evaluate the model on x and on its mirror image (the same values in the same shapes), and the
        // maximum of the two mirrored maps is symmetric in its arguments.
        TensorAssert.Equal(b.Logits.flip(3), a.Logits);
    }

    [Fact]
    public void SlidingWindow_SingleWindowCoveringTheImage_EqualsUpsampledForward()
    {
        using var model = EvalModel();
        using var decorator = new SlidingWindowInference(model, new SlidingWindowInferenceOptions { WindowHeight = 32, WindowWidth = 48, StrideHeight = 32, StrideWidth = 48 }, ownsInnerModel: false);
        using var scope = NewDisposeScope();
        var images = randn(1, 3, 32, 48);
        using var windowed = decorator.Forward(images);
        using var direct = model.Forward(images);
        // Exact: one window is the same Forward on the same values, accumulated onto zeros and divided by a count of 1.
        TensorAssert.Equal(windowed.Logits, interpolate(direct.Logits, size: [32, 48], mode: InterpolationMode.Bilinear, align_corners: true));
    }

    [Fact]
    public void SlidingWindow_OverlappingWindows_AverageTheWindowLogits()
    {
        using var model = EvalModel();
        using var decorator = new SlidingWindowInference(model, new SlidingWindowInferenceOptions { WindowHeight = 32, WindowWidth = 32, StrideHeight = 32, StrideWidth = 16 }, ownsInnerModel: false);
        using var scope = NewDisposeScope();
        var images = randn(1, 3, 32, 48);
        using var windowed = decorator.Forward(images);
        windowed.Logits.shape.Should().Equal(1, 3, 32, 48);
        windowed.Features.shape.Should().Equal(1, model.Info.FeatureChannels, 32, 48);
        using var left = model.Forward(images[.., .., .., TensorIndex.Slice(0, 32)].contiguous());
        using var right = model.Forward(images[.., .., .., TensorIndex.Slice(16, 48)].contiguous());
        var l = interpolate(left.Logits, size: [32, 32], mode: InterpolationMode.Bilinear, align_corners: true);
        var r = interpolate(right.Logits, size: [32, 32], mode: InterpolationMode.Bilinear, align_corners: true);
        // Exact: the windows run the same Forward calls on the same crops; 0 + l + r rounds once, like l + r, and halving is exact.
        TensorAssert.Equal(windowed.Logits[.., .., .., TensorIndex.Slice(0, 16)], l[.., .., .., TensorIndex.Slice(0, 16)]);
        TensorAssert.Equal(windowed.Logits[.., .., .., TensorIndex.Slice(16, 32)], (l[.., .., .., TensorIndex.Slice(16, 32)] + r[.., .., .., TensorIndex.Slice(0, 16)]) / 2);
        TensorAssert.Equal(windowed.Logits[.., .., .., TensorIndex.Slice(32, 48)], r[.., .., .., TensorIndex.Slice(16, 32)]);
    }

    [Fact]
    public void SlidingWindow_ImageSmallerThanWindow_PadsAndCropsBack()
    {
        using var model = EvalModel();
        using var decorator = new SlidingWindowInference(model, new SlidingWindowInferenceOptions { WindowHeight = 64, WindowWidth = 64, StrideHeight = 32, StrideWidth = 32 }, ownsInnerModel: false);
        using var images = randn(2, 3, 40, 50);
        using var output = decorator.Forward(images);
        output.Logits.shape.Should().Equal(2, 3, 40, 50);
        SlidingWindowInference.Starts(100, 64, 32).Should().Equal(0L, 32L, 36L);
        SlidingWindowInference.Starts(64, 64, 32).Should().Equal(0L);
    }

    [Fact]
    public void Clone_Decorator_WrapsAnIndependentCopy()
    {
        using var decorator = new MultiScaleInference(EvalModel());
        using var clone = decorator.Clone();
        clone.Should().BeOfType<MultiScaleInference>().Which.InnerModel.Should().NotBeSameAs(decorator.InnerModel);
        clone.Info.Should().BeEquivalentTo(decorator.Info);
        clone.GetParameterGroups().Should().HaveCount(2);
    }

    [Fact]
    public void ForwardLogits_MultiScaleOverSlidingWindows_EqualsTheLogitsOfForward()
    {
        using var model = EvalModel();
        using var windows = new SlidingWindowInference(model, new SlidingWindowInferenceOptions { WindowHeight = 32, WindowWidth = 32, StrideHeight = 16, StrideWidth = 16 }, ownsInnerModel: false);
        using var decorator = new MultiScaleInference(windows, new MultiScaleInferenceOptions { Scales = [1.0, 0.75], HorizontalFlip = true }, ownsInnerModel: false);
        using var scope = NewDisposeScope();
        var images = randn(2, 3, 40, 56);

        using var full = decorator.Forward(images);
        var logits = DelegatingSegmentationModel.ForwardLogits(decorator, images);

        // Exact: the logits path makes the same Forward, interpolate, accumulation and maximum calls; it only skips the features.
        TensorAssert.Equal(logits, full.Logits);
        logits.shape.Should().Equal(2, 3, 40, 56);
        full.Features.shape.Should().Equal(2, model.Info.FeatureChannels, 40, 56);
    }

    [Fact]
    public void ForwardLogits_PlainModel_EqualsTheLogitsOfForward()
    {
        using var model = EvalModel();
        using var scope = NewDisposeScope();
        var images = randn(1, 3, 32, 48);
        using var guard = no_grad();

        using var output = model.Forward(images);
        var logits = DelegatingSegmentationModel.ForwardLogits(model, images);

        TensorAssert.Equal(logits, output.Logits);
    }
}
