using DiGA.Core.Data.Synthetic;
using DiGA.Core.Hosting;
using DiGA.Core.Training.Pipeline;
using Microsoft.Extensions.Options;

namespace DiGA.Core.IntegrationTests.Training;

/// <summary>A run configured for the learned translator without its weights stops before training anything; it does not switch to another translator.</summary>
[Collection(SequentialTraining.Name)]
public class LearnedTranslatorRequiredTests
{
    [Fact]
    public async Task RunAsync_ReferencePresetTranslatorWithoutWeights_FailsBeforeTheWarmUpTrains()
    {
        var root = TinyRun.TemporaryDirectory();
        try
        {
            var options = TinyRun.Options(root.FullName);
            options.Translator = DiGAPresets.Gta5ToCityscapes().Translator;
            using var model = TinyRun.Model(options);
            var pipeline = TinyRun.Pipeline(options);

            var act = () => pipeline.RunAsync(model, new DiGADatasets(new SyntheticBenchmark(TinyRun.Benchmark())));

            (await act.Should().ThrowAsync<OptionsValidationException>()).Which.Message
                .Should().Contain("DiGA:Translator:LearnedWeightsDirectory").And.Contain("DiGA:Translator:Kind");
            Directory.Exists(Path.Combine(root.FullName, "stages")).Should().BeFalse("no stage started");
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task SelfTrainAsync_ReferencePresetTranslatorWithoutWeights_FailsBeforeThePseudoLabels()
    {
        var root = TinyRun.TemporaryDirectory();
        try
        {
            var options = TinyRun.Options(root.FullName);
            options.Translator = DiGAPresets.SynthiaToCityscapes().Translator;
            using var model = TinyRun.Model(options);
            var pipeline = TinyRun.Pipeline(options);

            var act = () => pipeline.SelfTrainAsync(new SelfTrainingRequest(model, new DiGADatasets(new SyntheticBenchmark(TinyRun.Benchmark()))));

            (await act.Should().ThrowAsync<OptionsValidationException>()).Which.Message.Should().Contain("DiGA:Translator:LearnedWeightsDirectory");
            Directory.Exists(Path.Combine(root.FullName, "pseudo-labels")).Should().BeFalse("nothing was predicted");
            Directory.Exists(Path.Combine(root.FullName, "stages")).Should().BeFalse("no round started");
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }
}
