using DiGA.Core.Hosting;
using DiGA.Core.Training;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DiGA.Core.Tests.Hosting;

public sealed class CentroidAndCarriedModelPresetTests
{
    [Theory]
    [InlineData("gta5-cityscapes")]
    [InlineData("synthia-cityscapes")]
    [InlineData("gta5-cityscapes-daformer")]
    [InlineData("synthia-cityscapes-daformer")]
    public void Get_ReferencePreset_ComputesCentroidsAt512x1024OverFivePasses_AndCarriesTheBestOnValidation(string name)
    {
        var options = DiGAPresets.Get(name);

        options.Pipeline.InitialCentroids.ResizeHeight.Should().Be(512);
        options.Pipeline.InitialCentroids.ResizeWidth.Should().Be(1024);
        options.Pipeline.InitialCentroids.Passes.Should().Be(5);
        options.Pipeline.CarriedModel.Should().Be(CarriedModel.BestOnValidation);
    }

    [Fact]
    public void Get_SyntheticDemo_KeepsOnePassAtTheLoadedSize_AndCarriesTheLastState()
    {
        var options = DiGAPresets.SyntheticDemo();

        options.Pipeline.InitialCentroids.ResizeHeight.Should().BeNull();
        options.Pipeline.InitialCentroids.ResizeWidth.Should().BeNull();
        options.Pipeline.InitialCentroids.Passes.Should().Be(1);
        options.Pipeline.CarriedModel.Should().Be(CarriedModel.Last);
    }

    [Fact]
    public void DiGAPipelineOptions_Defaults_CarryTheLastState()
    {
        new DiGAPipelineOptions().CarriedModel.Should().Be(CarriedModel.Last, "selecting on target validation labels is opt-in");
    }

    [Fact]
    public void AddDiGA_InvalidInitialCentroids_FailsAtStartUpNamingTheOptions()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Preset"] = "gta5-cityscapes",
            ["Device"] = "cpu",
            ["Pipeline:InitialCentroids:Passes"] = "0",
        }).Build();
        var services = new ServiceCollection();
        services.AddDiGA(configuration);
        using var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredService<IStartupValidator>().Validate();

        act.Should().Throw<OptionsValidationException>().Where(e => e.Message.Contains("Passes", StringComparison.Ordinal));
    }

    [Fact]
    public void AddDiGA_ResizeHeightWithoutWidth_FailsAtStartUpNamingBoth()
    {
        var services = new ServiceCollection();
        services.AddDiGA(o =>
        {
            o.Device = "cpu";
            o.Pipeline.InitialCentroids.ResizeWidth = null;
        });
        using var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredService<IStartupValidator>().Validate();

        act.Should().Throw<OptionsValidationException>()
            .Where(e => e.Message.Contains("InitialCentroids.ResizeHeight", StringComparison.Ordinal) && e.Message.Contains("InitialCentroids.ResizeWidth", StringComparison.Ordinal));
    }
}
