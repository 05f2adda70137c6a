using DiGA.Core.Hosting;
using DiGA.Core.Kernels.Augmentation;
using DiGA.Core.Training;
using DiGA.Core.Training.Optimization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DiGA.Core.Tests.Training;

/// <summary>The domain-generalisation mode is the reference's script: the GTA5 warm-up without translator and sharpness, with the target forward and batches of 4.</summary>
public sealed class DomainGeneralizationOptionsTests
{
    [Fact]
    public void DomainGeneralization_DiffersFromTheGta5WarmUpExactlyAsTheReferenceScriptDoes()
    {
        var dg = WarmUpOptions.DomainGeneralization();
        var warmUp = DiGAPresets.Gta5ToCityscapes().Pipeline.WarmUp;

        dg.Name.Should().Be("domainGeneralization");
        dg.UseCrossDomainMix.Should().BeFalse("the script has no translator: the second view is the photometric view");
        dg.TargetBatchNormForward.Should().BeTrue("the script forwards target images through the student for BatchNorm statistics");
        dg.Photometric.SharpnessEnabled.Should().BeFalse("the script's augmentation has no sharpness step");
        dg.Photometric.Should().BeEquivalentTo(warmUp.Photometric, o => o.Excluding(p => p.SharpnessEnabled));
        (dg.Photometric.Beta, dg.Photometric.ColorJitterProbability, dg.Photometric.GrayscaleProbability, dg.Photometric.BlurProbability).Should().Be((0.4, 0.5, 0.3, 0.8));
        dg.Stage.BatchSize.Should().Be(4, "the script draws 2 + 2 images per domain");
        dg.Stage.Should().BeEquivalentTo(warmUp.Stage, o => o.Excluding(s => s.BatchSize).Excluding(s => s.StreamShares));
        (dg.Stage.Iterations, dg.Stage.RandomScale, dg.Stage.Optimizer.Kind, dg.Stage.Optimizer.BaseLearningRate, dg.Stage.Schedule, dg.Stage.PolyPower)
            .Should().Be((80_000, true, OptimizerKind.Sgd, 2.5e-4, LearningRateSchedule.Poly, 0.9));
        (dg.SegmentationWeight, dg.DistillationWeight).Should().Be((1.0, 0.5));
        warmUp.Photometric.SharpnessEnabled.Should().BeTrue("the warm-up keeps its sharpness step");
    }

    [Fact]
    public void Gta5Preset_DomainGeneralization_IsTheScriptWithItsReverseWeightAndLoss()
    {
        var preset = DiGAPresets.Gta5ToCityscapes();

        preset.Pipeline.DomainGeneralization.Should().BeEquivalentTo(WarmUpOptions.DomainGeneralization(), o => o.Excluding(w => w.Stage.StreamShares));
        preset.Pipeline.DomainGeneralization.Stage.StreamShares.Should().Equal([2, 2], "the script's 2 + 2 images come from the low- and high-resolution streams");
        preset.Distillation.ReverseWeight.Should().Be(0.5);
        preset.Pipeline.SupervisedLoss.Should().Be(SupervisedLossKind.CrossEntropy);
        new DiGAPipelineOptions().DomainGeneralization.Should().BeEquivalentTo(WarmUpOptions.DomainGeneralization());
    }

    [Fact]
    public void SyntheticDemo_DomainGeneralization_KeepsTheModeWithTheDemoLoop()
    {
        var demo = DiGAPresets.SyntheticDemo().Pipeline;

        demo.DomainGeneralization.Stage.Should().BeEquivalentTo(demo.WarmUp.Stage);
        demo.DomainGeneralization.Should().BeEquivalentTo(WarmUpOptions.DomainGeneralization(), o => o.Excluding(w => w.Stage));
    }

    [Fact]
    public void AddDiGA_DomainGeneralizationFromConfiguration_ValidatesAndBindsOverrides()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Preset"] = "gta5-cityscapes",
            ["Device"] = "cpu",
            ["Pipeline:DomainGeneralization:TargetBatchNormForward"] = "false",
            ["Pipeline:DomainGeneralization:Stage:Iterations"] = "100",
        }).Build();
        var services = new ServiceCollection();
        services.AddDiGA(configuration);
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IStartupValidator>().Validate();
        var dg = provider.GetRequiredService<IOptions<DiGAOptions>>().Value.Pipeline.DomainGeneralization;
        (dg.TargetBatchNormForward, dg.Stage.Iterations, dg.Stage.BatchSize, dg.Photometric.SharpnessEnabled).Should().Be((false, 100, 4, false));
    }

    [Fact]
    public void Validation_InvalidDomainGeneralizationValue_IsReported()
    {
        var options = DiGAPresets.Gta5ToCityscapes();
        options.Pipeline.DomainGeneralization.Photometric = new PhotometricAugmentationOptions { Beta = 2 };
        var services = new ServiceCollection();
        services.AddDiGA(o => o.Pipeline = options.Pipeline);
        using var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredService<IStartupValidator>().Validate();

        act.Should().Throw<OptionsValidationException>().Which.Message.Should().Contain("DomainGeneralization").And.Contain("Beta");
    }
}
