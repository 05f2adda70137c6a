using DiGA.Core.Kernels.PseudoLabels;
using DiGA.Core.Testing;
using DiGA.Core.Tests.Fixtures.kernels;
using DiGA.Core.Tests.Helpers;
using static TorchSharp.torch;

namespace DiGA.Core.Tests.Kernels.PseudoLabels;

/// <summary>
/// The class-balanced selector against CBST (Zou et al., ECCV 2018): thresholds at each class's ⌊p·n⌋-th largest confidence (1 when
/// ⌊p·n⌋ = 0), the pseudo-label argmax_k p_k/τ_k where that ratio reaches 1, the offline label kept where it equals that label.
/// </summary>
public sealed class ClassBalancedSelectorTests
{
    [Fact]
    public void ClassThresholds_AreTheFloorOfPnThConfidenceOfEachClass_Or1()
    {
        using var scope = NewDisposeScope();
        var confidence = tensor(new float[] { 0.9f, 0.5f, 0.7f, 0.6f, 0.95f, 0.3f, 0.4f, 0.8f });
        var predicted = tensor(new long[] { 0, 0, 0, 0, 1, 1, 1, 2 });

        var thresholds = ClassBalancedSelector.ClassThresholds(confidence, predicted, 4, 0.5);

        // class 0: n = 4, ⌊2⌋ = 2nd of (0.9, 0.7, 0.6, 0.5); class 1: n = 3, ⌊1.5⌋ = 1st of (0.95, 0.4, 0.3);
        // class 2: n = 1, ⌊0.5⌋ = 0 → 1; class 3: not predicted → 1. Thresholds are input values, so they compare exactly.
        thresholds.data<float>().ToArray().Should().Equal(0.7f, 0.95f, 1f, 1f);
    }

    [Fact]
    public void Select_HandComputedBatch_KeepsTheOfflineLabelWhereItIsCbstsLabel()
    {
        using var scope = NewDisposeScope();
        // One 1×7 image, three classes, p = 0.5; logits = log p, so the softmax returns these probabilities (to float rounding).
        var probabilities = new[,]
        {
            { 0.90, 0.05, 0.05 },   // a: predicted 0
            { 0.80, 0.10, 0.10 },   // b: predicted 0
            { 0.50, 0.46, 0.04 },   // c: predicted 0
            { 0.70, 0.20, 0.10 },   // d: predicted 0
            { 0.30, 0.45, 0.25 },   // e: predicted 1
            { 0.35, 0.40, 0.25 },   // f: predicted 1
            { 0.95, 0.03, 0.02 },   // g: predicted 0
        };
        var values = new float[3 * 7];
        for (var pixel = 0; pixel < 7; pixel++)
        {
            for (var k = 0; k < 3; k++)
            {
                values[(k * 7) + pixel] = (float)Math.Log(probabilities[pixel, k]);
            }
        }

        var logits = tensor(values, [1, 3, 1, 7]);
        var offline = tensor(new long[] { 0, 0, 1, 0, 1, 2, 2 }, [1, 1, 7]);

        using var selection = new ClassBalancedSelector(new ClassBalancedSelectorOptions { KeepFraction = 0.5 })
            .Select(new PseudoLabelArguments(offline, logits, zeros(1, 1, 1, 7)));

        // τ_0 = 2nd of (0.95, 0.9, 0.8, 0.7, 0.5) = 0.9 (⌊2.5⌋ = 2; rounding up would give 0.8 and keep b); τ_1 = 1st of (0.45, 0.4)
        // = 0.45; τ_2 = 1 (class 2 is never predicted). p/τ: a (1, 0.11, 0.05) → 0, kept. b (0.89, 0.22, 0.1) → none. c (0.56,
        // 1.02, 0.04) → 1: CBST relabels the pixel, and its offline 1 is kept (an argmax of p alone would reject it). d → none.
        // e (0.33, 1, 0.25) → 1, kept. f (0.39, 0.89, 0.25) → none. g (1.06, 0.07, 0.02) → 0, which contradicts the offline 2.
        selection.Labels.data<long>().ToArray().Should().Equal(0, 255, 1, 255, 1, 255, 255);
        TensorAssert.Equal(selection.Kept, selection.Labels.ne(255));
    }

    [Theory]
    [InlineData("a", 0.5)]
    [InlineData("b", 0.3)]
    public void Select_MatchesTheCbstRestatement(string tag, double portion)
    {
        using var scope = NewDisposeScope();
        using var fixture = KernelFixture.Load("class_balanced_selection");
        var (logits, offline) = (fixture[$"{tag}_logits"], fixture[$"{tag}_offline"]);
        var arguments = new PseudoLabelArguments(offline, logits, zeros(logits.shape[0], 1, logits.shape[2], logits.shape[3]));

        using var selection = new ClassBalancedSelector(new ClassBalancedSelectorOptions { KeepFraction = portion }).Select(arguments);

        // Logits on a 4×6 (3×5) grid, labels 11×16 (9×13): the selector upsamples before the softmax. The fixture keeps every
        // prediction, ratio and threshold comparison ≥ 1e-5 away from a tie, so float32 rounding of another libtorch cannot decide.
        var probabilities = nn.functional.softmax(nn.functional.interpolate(logits, [offline.shape[1], offline.shape[2]], mode: InterpolationMode.Bilinear, align_corners: true), 1);
        var (confidence, predicted) = probabilities.max(1);
        TensorAssert.Close(ClassBalancedSelector.ClassThresholds(confidence.flatten(), predicted.flatten(), logits.shape[1], portion), fixture[$"{tag}_thresholds"], 1e-6);
        TensorAssert.Equal(selection.Labels, fixture[$"{tag}_selected"]);
        TensorAssert.Equal(selection.Kept, fixture[$"{tag}_selected"].ne(255));
        selection.Kept.any().item<bool>().Should().BeTrue();
        SelectionContract.Check(selection, arguments).Should().BeEmpty();
    }
}
