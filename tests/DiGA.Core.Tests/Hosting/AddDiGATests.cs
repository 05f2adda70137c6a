using DiGA.Core.Hosting;
using DiGA.Core.Kernels.Augmentation;
using DiGA.Core.Kernels.Distillation;
using DiGA.Core.Kernels.Losses;
using DiGA.Core.Kernels.Mixing;
using DiGA.Core.Kernels.PseudoLabels;
using DiGA.Core.Models.Compact;
using DiGA.Core.Training;
using DiGA.Core.Training.Pipeline;
using DiGA.Core.Translation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DiGA.Core.Tests.Hosting;

public class AddDiGATests
{
    [Fact]
    public void AddDiGA_Defaults_ResolvesEveryPieceTheModelFactoryAndThePipeline()
    {
        using var provider = Build(services => services.AddDiGA(o =>
        {
            o.Device = "cpu";
            o.Model.Architecture = CompactArchitecture.Name;
        }));

        provider.GetRequiredService<IStartupValidator>().Validate();
        provider.GetRequiredService<ISymmetricDistiller>().Should().BeOfType<SymmetricDistiller>();
        provider.GetRequiredService<ICrossDomainMixer>().Should().BeOfType<ClassMixMixer>();
        provider.GetRequiredService<IPseudoLabelSelector>().Should().BeOfType<DynamicPseudoLabelSelector>();
        provider.GetRequiredService<ISegmentationLoss>().Should().BeOfType<CrossEntropy2d>();
        provider.GetRequiredService<IPhotometricAugmenter>().Should().BeOfType<PhotometricAugmentation>();
        provider.GetRequiredService<IDomainTranslatorFactory>().Should().BeOfType<DomainTranslatorFactory>();
        using var model = provider.GetRequiredService<ISegmentationModelFactory>().Create();
        model.Info.ClassCount.Should().Be(19);
        model.Info.Architecture.Should().Be(CompactArchitecture.Name);
        provider.GetRequiredService<DiGAPipeline>().Options.WarmUp.DistillationWeight.Should().Be(0.5);
    }

    [Fact]
    public void AddDiGA_Configuration_StartsFromThePresetAndAppliesOverrides()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Preset"] = "synthia-cityscapes",
            ["Device"] = "cpu",
            ["Selector"] = "FixedThreshold",
            ["FixedThreshold:Threshold"] = "0.8",
            ["Pipeline:WarmUp:Stage:Iterations"] = "123",
        }).Build();

        using var provider = Build(services => services.AddDiGA(configuration));

        var options = provider.GetRequiredService<IOptions<DiGAOptions>>().Value;
        options.Model.ClassNames.Should().HaveCount(16);
        options.Pipeline.SupervisedLoss.Should().Be(SupervisedLossKind.Ohem);
        options.Distillation.ReverseWeight.Should().Be(0.25);
        options.Pipeline.WarmUp.Stage.Iterations.Should().Be(123);
        provider.GetRequiredService<IPseudoLabelSelector>().Should().BeOfType<FixedThresholdSelector>();
    }

    [Fact]
    public void AddDiGA_InvalidOptions_FailsAtStartUpNamingTheOption()
    {
        using var provider = Build(services => services.AddDiGA(o =>
        {
            o.Device = "gpu7";
            o.Pipeline.WarmUp.Stage.Iterations = 0;
        }));

        var act = () => provider.GetRequiredService<IStartupValidator>().Validate();

        act.Should().Throw<OptionsValidationException>()
            .Where(e => e.Message.Contains("DiGA:Device must be 'auto', 'cpu', 'cuda' or 'cuda:N'", StringComparison.Ordinal))
            .Where(e => e.Message.Contains("Iterations", StringComparison.Ordinal));
    }

    [Fact]
    public void UseSelector_ReplacesTheDefaultSelector()
    {
        using var provider = Build(services => services.AddDiGA(o => o.Device = "cpu").UseSelector<FixedThresholdSelector>());

        provider.GetRequiredService<IPseudoLabelSelector>().Should().BeOfType<FixedThresholdSelector>();
    }

    private static ServiceProvider Build(Action<IServiceCollection> configure)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        configure(services);
        return services.BuildServiceProvider();
    }
}
