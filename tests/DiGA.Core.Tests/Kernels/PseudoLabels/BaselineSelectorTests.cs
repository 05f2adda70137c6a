using DiGA.Core.Kernels.PseudoLabels;
using DiGA.Core.Tests.Helpers;
using static TorchSharp.torch;

namespace DiGA.Core.Tests.Kernels.PseudoLabels;

public sealed class BaselineSelectorTests
{
    [Fact]
    public void FixedThreshold_Select_KeepsExactlyTheConfidentNonIgnoredPixels()
    {
        using var scope = NewDisposeScope();
        var logits = randn(2, 3, 4, 4, generator: new Generator(1)).mul(4);
        var offline = randint(0, 3, [2, 4, 4], generator: new Generator(2), dtype: ScalarType.Int64);
        offline[0, 0, 0] = tensor(255L);

        using var selection = new FixedThresholdSelector(new FixedThresholdSelectorOptions { Threshold = 0.8 })
            .Select(new PseudoLabelArguments(offline, logits, zeros(2, 1, 4, 4)));

        // Exact: the selector's upsampling to the same 4×4 size has weights 1 and 0 (an exact copy), after which it runs the same
        // softmax kernel on the same values in this process, so even a confidence next to 0.8 falls on the same side.
        var confident = nn.functional.softmax(logits, 1).max(1).values.ge(0.8).logical_and(offline.ne(255));
        TensorAssert.Equal(selection.Kept, confident);
        TensorAssert.Equal(selection.Labels, where(confident, offline, full_like(offline, 255)));
        selection.Kept.any().item<bool>().Should().BeTrue();
        selection.Kept.all().item<bool>().Should().BeFalse();
    }

    [Fact]
    public void ClassThresholds_KeepTheTopFractionOfEveryPredictedClass()
    {
        using var scope = NewDisposeScope();
        var confidence = tensor(new float[] { 0.9f, 0.5f, 0.7f, 0.6f, 0.95f, 0.3f, 0.4f, 0.8f });
        var predicted = tensor(new long[] { 0, 0, 0, 0, 1, 1, 1, 2 });

        var thresholds = ClassBalancedSelector.ClassThresholds(confidence, predicted, 4, 0.5);

        // class 0: 4 pixels → top 2 (0.9, 0.7); class 1: 3 pixels → top ⌈1.5⌉ = 2 (0.95, 0.4); class 2: top 1; class 3 empty.
        // Thresholds are selected input values (sort and gather), so they are compared exactly.
        thresholds.narrow(0, 0, 3).data<float>().ToArray().Should().Equal(0.7f, 0.4f, 0.8f);
    }

    [Fact]
    public void ClassBalanced_Select_KeepsAboutTheFractionOfEachClass_And255Elsewhere()
    {
        using var scope = NewDisposeScope();
        var logits = randn(2, 4, 8, 8, generator: new Generator(3)).mul(3);
        var offline = logits.argmax(1);

        using var selection = new ClassBalancedSelector(new ClassBalancedSelectorOptions { KeepFraction = 0.25 })
            .Select(new PseudoLabelArguments(offline, logits, zeros(2, 1, 8, 8)));

        // Exact counts: each class threshold is one of the confidences the selector compares against it, so with distinct
        // confidences exactly ⌈0.25·n⌉ pixels reach it, whatever the rounding of the softmax.
        TensorAssert.Equal(selection.Labels.eq(255), selection.Kept.logical_not());
        for (var k = 0; k < 4; k++)
        {
            var ofClass = offline.eq(k);
            var total = ofClass.sum().item<long>();
            var kept = selection.Kept.logical_and(ofClass).sum().item<long>();
            kept.Should().Be((long)Math.Ceiling(0.25 * total), "class {0} has {1} pixels and distinct confidences", k, total);
        }
    }
}
