using DiGA.Core.Data.Synthetic;
using DiGA.Core.Hosting;
using DiGA.Core.Translation;
using DiGA.Core.Translation.Learned;
using Microsoft.Extensions.Options;
using static TorchSharp.torch;

namespace DiGA.Core.Tests.Hosting;

/// <summary>The reference presets mix with the learned translator and say what they need; they never fall back to another translator.</summary>
public sealed class PresetTranslatorTests
{
    [Theory]
    [InlineData("gta5-cityscapes")]
    [InlineData("synthia-cityscapes")]
    [InlineData("gta5-cityscapes-daformer")]
    [InlineData("synthia-cityscapes-daformer")]
    public void Get_ReferencePreset_UsesTheLearnedTranslatorWithNoWeightsConfigured(string name)
    {
        var translator = DiGAPresets.Get(name).Translator;

        translator.Kind.Should().Be(TranslatorKind.Learned);
        translator.LearnedWeightsDirectory.Should().BeNull("stage 0's weights are the user's to supply");
    }

    [Fact]
    public void DefaultOptions_AreTheGta5PresetWithTheLearnedTranslator()
    {
        new DiGAOptions().Translator.Kind.Should().Be(TranslatorKind.Learned);
        DiGAPresets.Gta5ToCityscapes().Translator.Should().BeEquivalentTo(new DiGAOptions().Translator, o => o.Excluding(t => t.Training.StreamShares), "the defaults have no training streams to split");
    }

    [Fact]
    public void SyntheticDemo_KeepsTheReinhardTranslatorWithRandomTargetStyles()
    {
        var translator = DiGAPresets.SyntheticDemo().Translator;

        translator.Kind.Should().Be(TranslatorKind.Reinhard);
        translator.Reinhard.Selection.Should().Be(TargetStyleSelection.RandomTargetImage);
        translator.FitImageCount.Should().Be(0);
    }

    [Fact]
    public void Create_ReferencePresetWithoutWeights_ThrowsNamingTheOptionAndTheAlternatives()
    {
        var factory = new DomainTranslatorFactory(DiGAPresets.Gta5ToCityscapes().Translator);

        var act = () => factory.Create(Context());

        var message = act.Should().Throw<OptionsValidationException>().Which.Message;
        message.Should().Contain("DiGA:Translator:LearnedWeightsDirectory")
            .And.Contain(LearnedTranslator.EncoderFileName).And.Contain(LearnedTranslator.DecoderFileName)
            .And.Contain("DiGA:Translator:Kind").And.Contain("Reinhard").And.Contain("Fourier");
    }

    [Fact]
    public void Create_WeightsFolderWithoutTheDecoder_ThrowsNamingTheFolderTheMissingFileAndTheAlternatives()
    {
        var folder = Directory.CreateTempSubdirectory("diga-translator-");
        try
        {
            File.WriteAllBytes(Path.Combine(folder.FullName, LearnedTranslator.EncoderFileName), [0]);
            var options = DiGAPresets.SynthiaToCityscapes().Translator;
            options.LearnedWeightsDirectory = folder.FullName;

            var act = () => new DomainTranslatorFactory(options).Create(Context());

            var message = act.Should().Throw<OptionsValidationException>().Which.Message;
            message.Should().Contain(folder.FullName).And.Contain(LearnedTranslator.DecoderFileName)
                .And.NotContain($"no {LearnedTranslator.EncoderFileName}")
                .And.Contain("DiGA:Translator:LearnedWeightsDirectory").And.Contain("Reinhard").And.Contain("Fourier");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static DomainTranslatorContext Context() => new(
        new SyntheticBenchmark(new SyntheticBenchmarkOptions { Height = 32, Width = 64, SourceCount = 2, TargetTrainCount = 2, TargetValCount = 1 }).TargetTrain,
        ImageNormalization.Reference,
        CPU);
}
