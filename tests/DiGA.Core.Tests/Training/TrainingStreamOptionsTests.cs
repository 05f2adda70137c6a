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
        var options = DiGAPresets.Get("gta5-cityscapes").Pipeline;

        Composition(options.Data.SourceStreams).Should().Equal((720, 1280), (1052, 1914));
        Composition(options.Data.TargetStreams).Should().Equal((512, 1024), (1024, 2048));
        foreach (var streams in new[] { options.Data.SourceStreams, options.Data.TargetStreams })
        {
            Shares(streams, TrainingStreamStage.WarmUp).Should().Equal([1, 2], "the warm-up takes 1 low- and 2 high-resolution images");
            Shares(streams, TrainingStreamStage.SelfTraining).Should().Equal([2, 1], "self-training takes 2 low- and 1 high-resolution images");
        }

        options.WarmUp.Stage.BatchSize.Should().Be(3);
        options.SelfTraining.Stage.BatchSize.Should().Be(3);
        TrainingStreams.Validate(options).Should().BeEmpty();
    }

    [Fact]
    public void SynthiaPreset_ReproducesTheReferenceCompositions()
    {
        var options = DiGAPresets.Get("synthia-cityscapes").Pipeline;

        Composition(options.Data.SourceStreams).Should().Equal((760, 1280), (1140, 1920));
        Composition(options.Data.TargetStreams).Should().Equal((512, 1024), (1024, 2048));
        foreach (var streams in new[] { options.Data.SourceStreams, options.Data.TargetStreams })
        {
            Shares(streams, TrainingStreamStage.WarmUp).Should().Equal([1, 3], "the SYNTHIA warm-up takes 1 low- and 3 high-resolution images");
            Shares(streams, TrainingStreamStage.SelfTraining).Should().Equal([1, 2], "SYNTHIA self-training takes 1 low- and 2 high-resolution images");
        }

        options.WarmUp.Stage.BatchSize.Should().Be(4);
        options.SelfTraining.Stage.BatchSize.Should().Be(3);
        TrainingStreams.Validate(options).Should().BeEmpty();
    }

    [Theory]
    [InlineData("synthetic-demo")]
    [InlineData("gta5-cityscapes-daformer")]
    [InlineData("synthia-cityscapes-daformer")]
    public void OtherPresets_KeepOneStreamPerDomain(string name)
    {
        var data = DiGAPresets.Get(name).Pipeline.Data;

        data.SourceStreams.Should().BeEmpty();
        data.TargetStreams.Should().BeEmpty();
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
    public void AddDiGA_StreamListInConfiguration_ReplacesThePresetList()
    {
        using var provider = Build(new Dictionary<string, string?>
        {
            ["Preset"] = "gta5-cityscapes",
            ["Device"] = "cpu",
            ["Pipeline:Data:TargetStreams:0:PreResizeHeight"] = "256",
            ["Pipeline:Data:TargetStreams:0:PreResizeWidth"] = "512",
            ["Pipeline:Data:TargetStreams:0:ImagesPerBatch"] = "3",
        });

        provider.GetRequiredService<IStartupValidator>().Validate();
        var data = provider.GetRequiredService<IOptions<DiGAOptions>>().Value.Pipeline.Data;
        data.TargetStreams.Should().ContainSingle();
        (data.TargetStreams[0].PreResizeHeight, data.TargetStreams[0].PreResizeWidth, data.TargetStreams[0].ImagesPerBatch).Should().Be((256, 512, 3));
        Composition(data.SourceStreams).Should().Equal((720, 1280), (1052, 1914));
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
            .Where(e => e.Message.Contains("DiGA:Pipeline:Data:SourceStreams: the shares of the warm-up (WarmUpImagesPerBatch, else ImagesPerBatch) add up to 1 + 2 = 3 images, but DiGA:Pipeline:WarmUp:Stage:BatchSize is 4; they must be equal.", StringComparison.Ordinal))
            .Where(e => e.Message.Contains("DiGA:Pipeline:Data:TargetStreams: the shares of the warm-up", StringComparison.Ordinal));
    }

    [Fact]
    public void AddDiGA_NegativeShare_FailsAtStartUpNamingTheMember()
    {
        using var provider = Build(new Dictionary<string, string?>
        {
            ["Device"] = "cpu",
            ["Pipeline:Data:SourceStreams:0:ImagesPerBatch"] = "-1",
        });

        var act = () => provider.GetRequiredService<IStartupValidator>().Validate();

        act.Should().Throw<OptionsValidationException>().Where(e => e.Message.Contains("The field DiGAOptions.Pipeline.Data.SourceStreams[0].ImagesPerBatch must be between 0 and 4096.", StringComparison.Ordinal));
    }

    private static ServiceProvider Build(Dictionary<string, string?> values)
    {
        var services = new ServiceCollection();
        services.AddDiGA(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
        return services.BuildServiceProvider();
    }

    private static List<(int?, int?)> Composition(IEnumerable<TrainingStreamOptions> streams) => [.. streams.Select(s => (s.PreResizeHeight, s.PreResizeWidth))];

    private static List<int> Shares(IEnumerable<TrainingStreamOptions> streams, TrainingStreamStage stage) => [.. streams.Select(s => TrainingStreams.Share(s, stage))];
}
