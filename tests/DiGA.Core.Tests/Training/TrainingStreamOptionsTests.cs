using DiGA.Core.Hosting;
using DiGA.Core.Training;
using DiGA.Core.Training.Pipeline;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DiGA.Core.Tests.Training;

public sealed class TrainingStreamOptionsTests
{
    [Fact]
    public void Gta5Preset_ReproducesTheReferenceCompositions()
    {
        var options = DiGAPresets.Get("gta5-cityscapes");
        var pipeline = options.Pipeline;

        Composition(pipeline.Data.SourceStreams).Should().Equal((720, 1280), (1052, 1914));
        Composition(pipeline.Data.TargetStreams).Should().Equal((512, 1024), (1024, 2048));
        pipeline.WarmUp.Stage.StreamShares.Should().Equal([1, 2], "the warm-up takes 1 low- and 2 high-resolution images per domain");
        pipeline.SelfTraining.Stage.StreamShares.Should().Equal([2, 1], "self-training takes 2 low- and 1 high-resolution images");
        pipeline.DomainGeneralization.Stage.StreamShares.Should().Equal([2, 2], "the domain-generalisation script takes 2 + 2");
        options.Translator.Training.StreamShares.Should().Equal([1, 1], "the translator's training takes 1 + 1");
        (pipeline.WarmUp.Stage.BatchSize, pipeline.SelfTraining.Stage.BatchSize, pipeline.DomainGeneralization.Stage.BatchSize, options.Translator.Training.BatchSize).Should().Be((3, 3, 4, 2));
        TrainingStreams.Validate(pipeline, options.Translator.Training).Should().BeEmpty();
    }

    [Fact]
    public void SynthiaPreset_ReproducesTheReferenceCompositions()
    {
        var options = DiGAPresets.Get("synthia-cityscapes");
        var pipeline = options.Pipeline;

        Composition(pipeline.Data.SourceStreams).Should().Equal((760, 1280), (1140, 1920));
        Composition(pipeline.Data.TargetStreams).Should().Equal((512, 1024), (1024, 2048));
        pipeline.WarmUp.Stage.StreamShares.Should().Equal([1, 3], "the SYNTHIA warm-up takes 1 low- and 3 high-resolution images");
        pipeline.SelfTraining.Stage.StreamShares.Should().Equal([1, 2], "SYNTHIA self-training takes 1 low- and 2 high-resolution images");
        options.Translator.Training.StreamShares.Should().Equal([1, 1]);
        (pipeline.WarmUp.Stage.BatchSize, pipeline.SelfTraining.Stage.BatchSize).Should().Be((4, 3));
        TrainingStreams.Validate(pipeline, options.Translator.Training).Should().BeEmpty();
    }

    [Theory]
    [InlineData("synthetic-demo")]
    [InlineData("gta5-cityscapes-daformer")]
    [InlineData("synthia-cityscapes-daformer")]
    public void OtherPresets_KeepOneStreamPerDomain(string name)
    {
        var options = DiGAPresets.Get(name);
        options.Pipeline.Data.SourceStreams.Should().BeEmpty();
        options.Pipeline.Data.TargetStreams.Should().BeEmpty();
        TrainingStreams.Validate(options.Pipeline, options.Translator.Training).Should().BeEmpty("stages without streams have no shares");
        new TrainingDataOptions().SourceStreams.Should().BeEmpty("the defaults keep one stream at the loaded size");
    }

    [Theory]
    [InlineData("gta5-cityscapes")]
    [InlineData("synthia-cityscapes")]
    public void AddDiGA_ReferencePreset_PassesStartUpValidation(string name)
    {
        using var provider = Build(new Dictionary<string, string?> { ["Preset"] = name, ["Device"] = "cpu" });

        provider.GetRequiredService<IStartupValidator>().Validate();
    }

    [Fact]
    public void AddDiGA_ListsInConfiguration_ReplaceThePresetLists()
    {
        using var provider = Build(new Dictionary<string, string?>
        {
            ["Preset"] = "gta5-cityscapes",
            ["Device"] = "cpu",
            ["Pipeline:Data:TargetStreams:0:PreResizeHeight"] = "256",
            ["Pipeline:Data:TargetStreams:0:PreResizeWidth"] = "512",
            ["Pipeline:Data:TargetStreams:1:PreResizeHeight"] = "512",
            ["Pipeline:Data:TargetStreams:1:PreResizeWidth"] = "1024",
            ["Pipeline:WarmUp:Stage:StreamShares:0"] = "2",
            ["Pipeline:WarmUp:Stage:StreamShares:1"] = "1",
            ["Model:ClassNames:0"] = "road",
            ["Model:ClassNames:1"] = "car",
        });

        provider.GetRequiredService<IStartupValidator>().Validate();
        var options = provider.GetRequiredService<IOptions<DiGAOptions>>().Value;
        Composition(options.Pipeline.Data.TargetStreams).Should().Equal((256, 512), (512, 1024));
        Composition(options.Pipeline.Data.SourceStreams).Should().Equal((720, 1280), (1052, 1914));
        options.Pipeline.WarmUp.Stage.StreamShares.Should().Equal([2, 1]);
        options.Pipeline.SelfTraining.Stage.StreamShares.Should().Equal([2, 1], "lists the configuration does not set keep the preset's values");
        options.Model.ClassNames.Should().Equal("road", "car");
    }

    [Fact]
    public void AddDiGA_NormalizationInConfiguration_ReplacesTheValues_AndLeavesOtherOptionsUnchanged()
    {
        var values = new Dictionary<string, string?>
        {
            ["Preset"] = "synthetic-demo",
            ["Translator:Reinhard:Normalization:ChannelOrder"] = "Rgb",
            ["Translator:Reinhard:Normalization:Mean:0"] = "1",
            ["Translator:Reinhard:Normalization:Mean:1"] = "2",
            ["Translator:Reinhard:Normalization:Mean:2"] = "3",
        };

        for (var run = 0; run < 2; run++)
        {
            using var provider = Build(values);
            var options = provider.GetRequiredService<IOptions<DiGAOptions>>().Value;
            options.Translator.Reinhard.Normalization.Mean.Should().Equal(1f, 2f, 3f);
            options.Translator.Reinhard.Normalization.Divisor.Should().Equal(ImageNormalization.Reference.Divisor);
            options.Translator.Fourier.Normalization.Should().Be(ImageNormalization.Reference);
        }

        ImageNormalization.Reference.Mean.Should().Equal(104.00698793f, 116.66876762f, 122.67891434f);
    }

    [Fact]
    public void AddDiGA_SharesThatDoNotAddUpToTheBatchSize_FailAtStartUpNamingTheOptions()
    {
        using var provider = Build(new Dictionary<string, string?>
        {
            ["Preset"] = "gta5-cityscapes",
            ["Device"] = "cpu",
            ["Pipeline:WarmUp:Stage:BatchSize"] = "4",
        });

        var act = () => provider.GetRequiredService<IStartupValidator>().Validate();

        act.Should().Throw<OptionsValidationException>()
            .Where(e => e.Message.Contains("DiGA:Pipeline:WarmUp:Stage:StreamShares add up to 1 + 2 = 3 images, but DiGA:Pipeline:WarmUp:Stage:BatchSize is 4; they must be equal.", StringComparison.Ordinal));
    }

    [Fact]
    public void AddDiGA_PreResizeOutOfRange_FailsAtStartUpNamingTheMember()
    {
        using var provider = Build(new Dictionary<string, string?>
        {
            ["Device"] = "cpu",
            ["Pipeline:Data:SourceStreams:0:PreResizeHeight"] = "4",
        });

        var act = () => provider.GetRequiredService<IStartupValidator>().Validate();

        act.Should().Throw<OptionsValidationException>().Where(e => e.Message.Contains("The field DiGAOptions.Pipeline.Data.SourceStreams[0].PreResizeHeight must be between 8 and 16384.", StringComparison.Ordinal));
    }

    private static ServiceProvider Build(Dictionary<string, string?> values)
    {
        var services = new ServiceCollection();
        services.AddDiGA(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
        return services.BuildServiceProvider();
    }

    private static List<(int?, int?)> Composition(IEnumerable<TrainingStreamOptions> streams) => [.. streams.Select(s => (s.PreResizeHeight, s.PreResizeWidth))];
}
