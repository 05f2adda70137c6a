using DiGA.Core.Hosting;
using DiGA.Core.Training;
using DiGA.Core.Training.Optimization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DiGA.Core.Tests.Hosting;

public sealed class DAFormerPresetTests
{
    [Theory]
    [InlineData("gta5-cityscapes-daformer", "gta5-cityscapes")]
    [InlineData("synthia-cityscapes-daformer", "synthia-cityscapes")]
    public void Get_DAFormerPreset_ChangesModelOptimisationBatchAndCropOnly(string name, string reference)
    {
        DiGAPresets.Names.Should().Contain(name);
        var options = DiGAPresets.Get(name);
        var baseline = DiGAPresets.Get(reference);

        options.Model.Architecture.Should().Be("mit-b5+daformer");
        options.Model.Normalization.Should().Be(Core.Models.InputNormalizationPreset.ImageNet);
        options.Model.ClassNames.Should().Equal(baseline.Model.ClassNames);
        (options.Pipeline.Data.CropHeight, options.Pipeline.Data.CropWidth).Should().Be((512, 512));
        foreach (var (stage, baselineStage) in new[]
        {
            (options.Pipeline.Supervised, baseline.Pipeline.Supervised),
            (options.Pipeline.WarmUp.Stage, baseline.Pipeline.WarmUp.Stage),
            (options.Pipeline.DomainGeneralization.Stage, baseline.Pipeline.DomainGeneralization.Stage),
            (options.Pipeline.SelfTraining.Stage, baseline.Pipeline.SelfTraining.Stage),
        })
        {
            stage.BatchSize.Should().Be(2);
            stage.Optimizer.Kind.Should().Be(OptimizerKind.AdamW);
            stage.Optimizer.BaseLearningRate.Should().Be(6e-5);
            stage.Optimizer.WeightDecay.Should().Be(0.01);
            stage.Schedule.Should().Be(LearningRateSchedule.Poly);
            stage.PolyPower.Should().Be(1.0);
            stage.LearningRateWarmUpIterations.Should().Be(1500);
            stage.Iterations.Should().Be(baselineStage.Iterations, "DiGA's iteration counts are kept");
            stage.RandomScale.Should().Be(baselineStage.RandomScale);
            stage.Teacher.DecayCap.Should().Be(baselineStage.Teacher.DecayCap);
        }

        options.Pipeline.SupervisedLoss.Should().Be(baseline.Pipeline.SupervisedLoss);
        options.Pipeline.WarmUp.SegmentationWeight.Should().Be(baseline.Pipeline.WarmUp.SegmentationWeight);
        options.Pipeline.WarmUp.DistillationWeight.Should().Be(baseline.Pipeline.WarmUp.DistillationWeight);
        options.Pipeline.SelfTraining.SegmentationWeight.Should().Be(baseline.Pipeline.SelfTraining.SegmentationWeight);
        options.Pipeline.SelfTraining.DistillationWeight.Should().Be(baseline.Pipeline.SelfTraining.DistillationWeight);
        options.Distillation.ReverseWeight.Should().Be(baseline.Distillation.ReverseWeight);
        options.Pipeline.WarmUp.Photometric.Should().BeEquivalentTo(baseline.Pipeline.WarmUp.Photometric);
    }

    [Fact]
    public void AddDiGA_DAFormerPresetFromConfiguration_ValidatesAndBindsOverrides()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Preset"] = "gta5-cityscapes-daformer",
            ["Device"] = "cpu",
            ["Pipeline:WarmUp:Stage:LearningRateWarmUpIterations"] = "10",
        }).Build();
        var services = new ServiceCollection();
        services.AddDiGA(configuration);
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IStartupValidator>().Validate();
        var options = provider.GetRequiredService<IOptions<DiGAOptions>>().Value;
        options.Model.Architecture.Should().Be("mit-b5+daformer");
        options.Pipeline.WarmUp.Stage.LearningRateWarmUpIterations.Should().Be(10);
        options.Pipeline.SelfTraining.Stage.LearningRateWarmUpIterations.Should().Be(1500);
    }
}
