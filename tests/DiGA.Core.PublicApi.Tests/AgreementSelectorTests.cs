using DiGA.Core.Testing;
using Microsoft.Extensions.DependencyInjection;
using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.PublicApi.Tests;

public sealed class AgreementSelectorTests
{
    // The selector under test, resolved the way an application gets it: registered through AddDiGA.
    private readonly IPseudoLabelSelector _selector = Resolve();

    [Fact]
    public void AddDiGA_UseSelector_ResolvesTheCustomSelector()
    {
        _selector.Should().BeOfType<AgreementSelector>();
    }

    [Fact]
    public void Select_KeepsExactlyThePixelsWhereTheOfflineLabelIsTrue()
    {
        using var data = SelectorTestData.Create(new SelectorTestDataOptions { BatchSize = 2, ClassCount = 5, Seed = 3 });

        using var selection = _selector.Select(data.Arguments);

        // Exact on any CPU: SelectorTestData sets pixels whose two best bilinear weights are < 0.1 apart to 255, so wherever a
        // label is compared the teacher's upsampled logits (8 for the true class) lead by ≥ 0.8 against noise of ~0.02.
        selection.Kept.eq(data.ExpectedAgreement).all().item<bool>().Should().BeTrue();
        selection.Kept.any().item<bool>().Should().BeTrue();
        selection.Kept.all().item<bool>().Should().BeFalse();
    }

    [Fact]
    public void Select_HonoursTheSelectorContract()
    {
        using var data = SelectorTestData.Create();

        using var selection = _selector.Select(data.Arguments);

        SelectionContract.Check(selection, data.Arguments).Should().BeEmpty();
    }

    [Fact]
    public void Select_LeavesNoLiveTensors()
    {
        using var data = SelectorTestData.Create();
        var statistics = DisposeScopeManager.Statistics;
        statistics.Reset();

        using (_selector.Select(data.Arguments))
        {
        }

        statistics.ThreadTotalLiveCount.Should().Be(0);
    }

    [Fact]
    public void SelectionContract_ReportsALabelThatShouldBe255()
    {
        using var data = SelectorTestData.Create();
        using var selection = _selector.Select(data.Arguments);
        var rejected = selection.Kept.logical_not();
        selection.Labels.masked_fill_(rejected, 0);

        SelectionContract.Check(selection, data.Arguments).Should().ContainSingle().Which.Should().Contain("rejected pixels");
    }

    private static IPseudoLabelSelector Resolve()
    {
        var services = new ServiceCollection();
        services.AddDiGA(options => options.Device = "cpu").UseSelector<AgreementSelector>();
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IPseudoLabelSelector>();
    }
}
