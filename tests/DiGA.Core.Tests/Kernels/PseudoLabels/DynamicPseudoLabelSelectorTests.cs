using DiGA.Core.Kernels.PseudoLabels;
using DiGA.Core.Testing;
using DiGA.Core.Tests.Fixtures.kernels;
using DiGA.Core.Tests.Helpers;
using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Tests.Kernels.PseudoLabels;

public sealed class DynamicPseudoLabelSelectorTests
{
    // The library's distances use the expanded ‖f − μ‖² − 2(f − μ)·(c − μ) + ‖c − μ‖², the fixture the direct norm. On the fixture
    // (‖f − μ‖² ≤ 63, ‖c − μ‖² ≤ 26, D ≥ 1.8) float32 cancellation gives |ΔD²| ≲ 4·2⁻²⁴·170 ≈ 4e-5, hence
    // |ΔD| = |ΔD²|/2D ≲ 1.1e-5 in the worst case (observed 9.5e-7, one ulp of 10).
    private const double DistanceTolerance = 5e-5;

    // Prototype labels are argmaxes of upsampled softmax(−D). A distance error ΔD moves a softmax weight by ≤ ½·ΔD (bilinear
    // upsampling averages, so keeps that bound) and a gap between two weights by ≤ ΔD = 5e-5: where the reference's best two
    // weights are ≥ 1e-4 apart the argmax cannot flip on any CPU (the fixture's smallest gap is 3e-4).
    private const double PrototypeMargin = 1e-4;

    [Fact]
    public void Distances_MatchReference()
    {
        using var scope = NewDisposeScope();
        using var fixture = KernelFixture.Load("dynamic_selection");

        var distances = DynamicPseudoLabelSelector.Distances(fixture["features"], fixture["centroids"]);

        TensorAssert.Close(distances, fixture["distances"], DistanceTolerance);
    }

    [Fact]
    public void Select_MatchesReferenceSelection()
    {
        using var scope = NewDisposeScope();
        using var fixture = KernelFixture.Load("dynamic_selection");
        var arguments = new PseudoLabelArguments(fixture["offline"], fixture["logits"], fixture["features"]) { Centroids = fixture["centroids"] };

        using var selection = new DynamicPseudoLabelSelector().Select(arguments);

        // Compare where the reference prototype label is clear; near-ties may go either way (the contract below still holds).
        var clear = ClearPrototypes(fixture["distances"], fixture["offline"]);
        clear.to(ScalarType.Float32).mean().item<float>().Should().BeGreaterThan(0.95f, "the fixture must have few near-ties to be a meaningful check");
        TensorAssert.Equal(selection.Labels.masked_select(clear), fixture["selected"].masked_select(clear));
        TensorAssert.Equal(selection.Kept.masked_select(clear), fixture["selected"].ne(255).masked_select(clear));
        SelectionContract.Check(selection, arguments).Should().BeEmpty();
    }

    [Fact]
    public void Select_RejectedPixels_AreExactly255()
    {
        using var scope = NewDisposeScope();
        using var fixture = KernelFixture.Load("dynamic_selection");
        var offline = fixture["offline"];
        var arguments = new PseudoLabelArguments(offline, fixture["logits"], fixture["features"]) { Centroids = fixture["centroids"] };

        using var selection = new DynamicPseudoLabelSelector().Select(arguments);

        TensorAssert.Equal(selection.Labels.eq(255), selection.Kept.logical_not());
        TensorAssert.Equal(where(selection.Kept, selection.Labels, offline), offline);
    }

    [Fact]
    public void Select_WithoutCentroids_ThrowsNamingThem()
    {
        using var scope = NewDisposeScope();
        using var fixture = KernelFixture.Load("dynamic_selection");

        var act = () => new DynamicPseudoLabelSelector().Select(new PseudoLabelArguments(fixture["offline"], fixture["logits"], fixture["features"]));

        act.Should().Throw<ArgumentException>().WithMessage("*Centroids*null*");
    }

    [Fact]
    public void Select_LeavesNoLiveTensors()
    {
        using var fixture = KernelFixture.Load("dynamic_selection");
        var arguments = new PseudoLabelArguments(fixture["offline"], fixture["logits"], fixture["features"]) { Centroids = fixture["centroids"] };
        var statistics = DisposeScopeManager.Statistics;
        statistics.Reset();

        using (var selection = new DynamicPseudoLabelSelector().Select(arguments))
        {
            selection.Labels.shape.Should().Equal(fixture["offline"].shape);
        }

        statistics.ThreadTotalLiveCount.Should().Be(0);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public void Select_OnSelectorTestData_KeepsExactlyTheExpectedAgreement(int seed)
    {
        // Exact: SelectorTestData marks pixels whose two best bilinear weights are < 0.1 apart as 255, and elsewhere the
        // nearest centroid wins by a distance gap of ~14 against noise of ~0.2, far beyond any rounding.
        using var data = SelectorTestData.Create(new SelectorTestDataOptions { Seed = seed, ClassCount = 6, FeatureChannels = 16 });

        using var selection = new DynamicPseudoLabelSelector().Select(data.Arguments);

        TensorAssert.Equal(selection.Kept, data.ExpectedAgreement);
        SelectionContract.Check(selection, data.Arguments).Should().BeEmpty();
    }

    /// <summary>The label pixels where the reference's two largest upsampled weights differ by at least <see cref="PrototypeMargin"/>.</summary>
    private static Tensor ClearPrototypes(Tensor distances, Tensor offline)
    {
        var weights = nn.functional.interpolate(
            nn.functional.softmax(distances.to(ScalarType.Float64).neg(), 1), [offline.shape[1], offline.shape[2]], mode: InterpolationMode.Bilinear, align_corners: true);
        var top = weights.topk(2, 1).values;
        return top.select(1, 0).sub(top.select(1, 1)).ge(PrototypeMargin);
    }
}
