using DiGA.Core.PseudoLabels;
using DiGA.Core.Testing;
using DiGA.Core.Tests.Fixtures.Kernels;
using DiGA.Core.Tests.Helpers;
using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Tests.PseudoLabels;

public sealed class DynamicPseudoLabelSelectorTests
{
    [Fact]
    public void Distances_MatchReference()
    {
        using var scope = NewDisposeScope();
        using var fixture = KernelFixture.Load("dynamic_selection");

        var distances = DynamicPseudoLabelSelector.Distances(fixture["features"], fixture["centroids"]);

        TensorAssert.Close(distances, fixture["distances"], 1e-5);
    }

    [Fact]
    public void Select_MatchesReferenceSelection()
    {
        using var scope = NewDisposeScope();
        using var fixture = KernelFixture.Load("dynamic_selection");
        var arguments = new PseudoLabelArguments(fixture["offline"], fixture["logits"], fixture["features"]) { Centroids = fixture["centroids"] };

        using var selection = new DynamicPseudoLabelSelector().Select(arguments);

        TensorAssert.Equal(selection.Labels, fixture["selected"]);
        TensorAssert.Equal(selection.Kept, fixture["selected"].ne(255));
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
        using var data = SelectorTestData.Create(new SelectorTestDataOptions { Seed = seed, ClassCount = 6, FeatureChannels = 16 });

        using var selection = new DynamicPseudoLabelSelector().Select(data.Arguments);

        TensorAssert.Equal(selection.Kept, data.ExpectedAgreement);
        SelectionContract.Check(selection, data.Arguments).Should().BeEmpty();
    }
}
