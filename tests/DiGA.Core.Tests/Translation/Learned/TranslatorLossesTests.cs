using DiGA.Core.Tests.Helpers;
using DiGA.Core.Translation.Learned;
using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Tests.Translation.Learned;

public sealed class TranslatorLossesTests
{
    [Fact]
    public void SemanticEdgeMask_VerticalBoundary_MarksTwoColumnsOnEachSide()
    {
        using var scope = NewDisposeScope();
        // Columns 0–3 = 1, 4–7 = 2. |lap| per column: 0, 0, 5/48, 10/48, 10/48, 5/48, 0, 0 (reflect border).
        var labels = ones(1, 6, 8, dtype: ScalarType.Int64);
        labels[.., .., 4..] = 2;

        var mask = TranslatorLossesAccess.SemanticEdgeMask(labels, 0.1);

        // Exact: |lap| takes values k/48, at least 0.004 from the 0.1 threshold, while the float32 convolution errs by ~1e-7.
        var expectedRow = tensor(new float[] { 0, 0, 1, 1, 1, 1, 0, 0 });
        TensorAssert.Equal(mask, expectedRow.expand(1, 1, 6, 8));
    }

    [Fact]
    public void SemanticEdgeMask_SinglePixelIsland_MarksOnlyThePixelForSmallJumps()
    {
        using var scope = NewDisposeScope();
        // Centre: (1 − 25·1)/48 = −0.5; each neighbour in the 5×5 window: 1/48 ≈ 0.02 < 0.1.
        var labels = zeros(1, 7, 7, dtype: ScalarType.Int64);
        labels[0, 3, 3] = 1;

        var mask = TranslatorLossesAccess.SemanticEdgeMask(labels, 0.1);

        // Exact: every |lap| value is ≥ 0.079 from the threshold.
        var expected = zeros(1, 1, 7, 7);
        expected[0, 0, 3, 3] = 1f;
        TensorAssert.Equal(mask, expected);
    }

    [Fact]
    public void SemanticEdgeMask_IgnoreLabelIsland_MarksTheWholeWindow()
    {
        using var scope = NewDisposeScope();
        // 255 takes part: every pixel within 2 of the island sees 255/48 > 0.1.
        var labels = zeros(1, 9, 9, dtype: ScalarType.Int64);
        labels[0, 4, 4] = 255;

        var mask = TranslatorLossesAccess.SemanticEdgeMask(labels, 0.1);

        // Exact: every |lap| value is 0 or ≥ 255/48.
        var expected = zeros(1, 1, 9, 9);
        expected[0, 0, 2..7, 2..7] = 1f;
        TensorAssert.Equal(mask, expected);
    }

    [Fact]
    public void DiscriminatorAndGeneratorLoss_SumLeastSquaresOverScales()
    {
        using var scope = NewDisposeScope();
        Tensor[] real = [full(2, 1, 4, 4, 1.5f), full(2, 1, 2, 2, 0.0f)];
        Tensor[] fake = [full(2, 1, 4, 4, 0.5f), full(2, 1, 2, 2, -1.0f)];

        var discriminator = TranslatorLossesAccess.DiscriminatorLoss(real, fake).item<float>();
        var generator = TranslatorLossesAccess.GeneratorLoss(fake).item<float>();

        // Means of constant squares 0.25, 1 and 4: exact in float32; 1e-6 only allows for a different summation order.
        discriminator.Should().BeApproximately((0.25f + 0.25f) + (1f + 1f), 1e-6f);
        generator.Should().BeApproximately(0.25f + 4f, 1e-6f);
    }

    [Fact]
    public void EdgeLoss_AveragesOverAllElements()
    {
        using var scope = NewDisposeScope();
        var source = ones(1, 3, 2, 2);
        var translated = zeros(1, 3, 2, 2);
        var mask = tensor(new float[] { 1, 0, 0, 0 }).reshape(1, 1, 2, 2);

        var loss = TranslatorLossesAccess.EdgeLoss(source, translated, mask).item<float>();

        // Three ones among twelve elements: 0.25, exact in float32.
        loss.Should().BeApproximately(3f / 12f, 1e-6f);
    }
}

/// <summary>Forwards to the internal loss helpers.</summary>
internal static class TranslatorLossesAccess
{
    public static Tensor SemanticEdgeMask(Tensor labels, double threshold) =>
        TranslatorLosses.SemanticEdgeMask(labels, threshold);

    public static Tensor DiscriminatorLoss(IReadOnlyList<Tensor> real, IReadOnlyList<Tensor> fake) =>
        TranslatorLosses.DiscriminatorLoss(real, fake);

    public static Tensor GeneratorLoss(IReadOnlyList<Tensor> fake) =>
        TranslatorLosses.GeneratorLoss(fake);

    public static Tensor EdgeLoss(Tensor source, Tensor translated, Tensor mask) =>
        TranslatorLosses.EdgeLoss(source, translated, mask);
}
