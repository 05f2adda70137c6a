using DiGA.Core.Data;
using DiGA.Core.Kernels.Mixing;
using DiGA.Core.Labels;
using DiGA.Core.Tests.Training.Pipeline;
using DiGA.Core.Training;
using DiGA.Core.Training.Pipeline;
using static TorchSharp.torch;

namespace DiGA.Core.Tests.Training;

/// <summary>
/// Source batches whose every label is 255. The reference skips composing its mixtures then and reuses the previous iteration's
/// (failing at the first); DiGA.Core mixes each batch on its own, so the mixed views are the batch's own images.
/// </summary>
public sealed class AllIgnoreSourceBatchTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("diga-all-ignore-");

    public void Dispose() => _root.Delete(recursive: true);

    [Theory]
    [InlineData(SupervisedLossKind.CrossEntropy)]
    [InlineData(SupervisedLossKind.Ohem)]
    public async Task WarmUpAndSelfTraining_AllIgnoreSource_MixEachBatchWithItselfAndKeepEveryLossFinite(SupervisedLossKind loss)
    {
        var scenes = PipelineTestData.Scenes();
        var source = new AllIgnoreLabels(scenes.Source);
        var target = scenes.TargetTrain.WithoutLabels();
        var options = PipelineTestData.Options(_root.FullName);
        options.Data.CropHeight = options.Data.CropWidth = null;   // the 32×64 scenes as they are
        foreach (var stage in new[] { options.WarmUp.Stage, options.SelfTraining.Stage })
        {
            stage.Iterations = 2;
            stage.BatchSize = 2;
            stage.LogInterval = 1;
            stage.CheckpointInterval = 2;
        }

        options.SelfTraining.Rounds = 1;
        options.SupervisedLoss = loss;   // with OHEM (SYNTHIA) the reference's loss indexes an empty tensor on such a batch
        var mixer = new RecordingMixer();
        var pipeline = new DiGAPipelineBuilder().WithOptions(options).WithSeed(5).UseMixer(mixer).Build();
        using var student = PipelineTestData.Model();

        var warmUp = await pipeline.WarmUpAsync(new WarmUpRequest(student, source) { Target = target });
        var warmUpCalls = mixer.Calls.Count;
        var selfTraining = (await pipeline.SelfTrainAsync(new SelfTrainingRequest(student, new DiGADatasets(source, target)))).Single();

        // Warm-up: one CrDoMix per iteration. Self-training: the CrDoMix of the distillation view, then the ClassMix onto target
        // crops. Every one of them kept the whole foreground (the photometric view, or the source crop) and no pasted label.
        warmUpCalls.Should().Be(2);
        mixer.Calls.Select(c => c.WithBackgroundLabels).Should().Equal(false, false, false, true, false, true);
        mixer.Calls.Should().OnlyContain(c => c.WholeForeground, "an all-ignore image is mixed with itself");
        mixer.Calls.Where(c => c.WithBackgroundLabels).Should().OnlyContain(c => c.EveryLabelIgnored);

        // The supervised terms see only 255 and are 0; distillation is finite and non-zero. (A NaN or infinite loss would have
        // stopped the stage with NonFiniteLossException.)
        warmUp.Losses.Should().HaveCount(2);
        warmUp.Losses.Should().OnlyContain(r => r.Losses.IsFinite && r.Losses.Supervised == 0 && r.Losses.Distillation > 0);
        selfTraining.Losses.Should().HaveCount(2);
        selfTraining.Losses.Should().OnlyContain(r => r.Losses.IsFinite && r.Losses.Supervised == 0 && r.Losses.MixedSupervised == 0 && r.Losses.Distillation > 0);
    }

    /// <summary>A dataset whose labels are all 255.</summary>
    private sealed class AllIgnoreLabels(ISegmentationDataset inner) : ISegmentationDataset
    {
        public string Name => inner.Name + "-all-ignore";

        public int Count => inner.Count;

        public LabelSpace LabelSpace => inner.LabelSpace;

        public bool HasLabels => true;

        public IReadOnlyList<SkippedSample> SkippedSamples => inner.SkippedSamples;

        public SegmentationSample Load(int index)
        {
            var sample = inner.Load(index);
            var label = Enumerable.Repeat((byte)LabelSpace.IgnoreIndex, sample.Width * sample.Height).ToArray();
            return new SegmentationSample(sample.Id, sample.Width, sample.Height, sample.Image, label);
        }

        public string DescribeSample(int index) => inner.DescribeSample(index);
    }

    private sealed record MixCall(bool WithBackgroundLabels, bool WholeForeground, bool EveryLabelIgnored);

    /// <summary>The default mixer, recording what each call returned.</summary>
    private sealed class RecordingMixer : ICrossDomainMixer
    {
        private readonly ClassMixMixer _inner = new();

        public List<MixCall> Calls { get; } = [];

        public MixedBatch Mix(in CrossDomainMixArguments arguments)
        {
            var mixed = _inner.Mix(arguments);
            using var scope = NewDisposeScope();
            Calls.Add(new MixCall(
                arguments.BackgroundLabels is not null,
                mixed.Mask.all().item<bool>() && mixed.Images.eq(arguments.Foreground).all().item<bool>(),
                mixed.Labels?.eq(255).all().item<bool>() ?? false));
            return mixed;
        }
    }
}
