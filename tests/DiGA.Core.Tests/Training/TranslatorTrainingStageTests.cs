using System.IO.Compression;
using DiGA.Core.Data;
using DiGA.Core.Data.Synthetic;
using DiGA.Core.Tests.Helpers;
using DiGA.Core.Training;
using DiGA.Core.Training.Stages;
using DiGA.Core.Translation.Learned;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace DiGA.Core.Tests.Training;

public sealed class TranslatorTrainingStageTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("diga-translator-");
    private readonly SyntheticBenchmark _benchmark = new(new SyntheticBenchmarkOptions { Seed = 2, Height = 64, Width = 64, SourceCount = 6, TargetTrainCount = 6, TargetValCount = 1 });

    public void Dispose() => _root.Delete(recursive: true);

    [Fact]
    public async Task RunAsync_CancelledAndResumed_EndsWithTheWeightsOfAnUninterruptedRun()
    {
        using var features = new FrozenFeatures();
        var whole = Path.Combine(_root.FullName, "whole");
        (await RunAsync(whole, features)).Iterations.Should().Be(4);

        var split = Path.Combine(_root.FullName, "split");
        using (var cancellation = new CancellationTokenSource())
        {
            var progress = new SynchronousProgress(p =>
            {
                if (p.Iteration == 3)
                {
                    cancellation.Cancel();
                }
            });
            var act = () => RunAsync(split, features, progress: progress, cancellationToken: cancellation.Token);
            await act.Should().ThrowAsync<OperationCanceledException>();
        }

        Manifest(split).GetProperty("Iteration").GetInt32().Should().Be(3, "cancellation writes a checkpoint first");
        var resumed = await RunAsync(split, features);

        resumed.Losses.Select(l => l.Iteration).Should().Equal(0, 1, 2, 3);
        // One process, one thread count, the same batches and the same kernels in the same order: a resumed run repeats the
        // uninterrupted one exactly, so both translators map an image to the same bits.
        var options = new LearnedTranslatorOptions { Device = "cpu", Width = 8 };
        using var expected = LearnedTranslator.Load(Path.Combine(whole, "weights"), options);
        using var actual = LearnedTranslator.Load(Path.Combine(split, "weights"), options);
        using var scope = NewDisposeScope();
        var image = randn([1, 3, 64, 64], generator: new Generator(9));
        TensorAssert.Equal(actual.Translate(new TranslationArguments(image)), expected.Translate(new TranslationArguments(image)));
    }

    [Fact]
    public async Task RunAsync_Finished_ReturnsWithoutTraining()
    {
        using var features = new FrozenFeatures();
        var directory = Path.Combine(_root.FullName, "done");
        await RunAsync(directory, features);
        var stamp = File.GetLastWriteTimeUtc(Path.Combine(directory, "stage", "last.ckpt"));

        var again = await RunAsync(directory, features);

        again.Losses.Should().HaveCount(4);
        File.GetLastWriteTimeUtc(Path.Combine(directory, "stage", "last.ckpt")).Should().Be(stamp);
    }

    [Fact]
    public async Task RunAsync_LossTurnsNaN_ThrowsNamingTheIterationAndKeepsTheLastGoodCheckpoint()
    {
        using var features = new FrozenFeatures(nanFromCall: 13);  // four extractor calls per step: the 4th step is the first NaN one
        var directory = Path.Combine(_root.FullName, "nan");

        var act = () => RunAsync(directory, features);

        var error = (await act.Should().ThrowAsync<NonFiniteLossException>()).Which;
        error.Message.Should().Contain("translator").And.Contain("iteration 4").And.Contain("last.ckpt");
        error.Stage.Should().Be(TranslatorTrainingStage.Name);
        error.LastFiniteIteration.Should().Be(3);
        Manifest(directory).GetProperty("Iteration").GetInt32().Should().Be(2);
        using var translator = LearnedTranslator.Load(Path.Combine(directory, "weights"), new LearnedTranslatorOptions { Device = "cpu", Width = 8 });
        using var scope = NewDisposeScope();
        translator.Translate(new TranslationArguments(zeros(1, 3, 64, 64))).isfinite().all().item<bool>().Should().BeTrue();
    }

    [Fact]
    public async Task RunAsync_CheckpointOfAnotherStage_FailsNamingTheFile()
    {
        using var features = new FrozenFeatures();
        var directory = Path.Combine(_root.FullName, "foreign");
        Directory.CreateDirectory(Path.Combine(directory, "stage"));
        var path = Path.Combine(directory, "stage", "last.ckpt");
        using (var archive = ZipFile.Open(path, ZipArchiveMode.Create))
        using (var writer = new StreamWriter(archive.CreateEntry("manifest.json").Open()))
        {
            writer.Write("""{"Stage":"warmUp","Iteration":1,"MaxIterations":4,"ElapsedSeconds":0,"Losses":[]}""");
        }

        var act = () => RunAsync(directory, features);

        (await act.Should().ThrowAsync<InvalidDataException>()).WithMessage($"*{path}*belongs to stage 'warmUp'*");
    }

    private async Task<TranslatorTrainingResult> RunAsync(string directory, FrozenFeatures features, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var options = new TranslatorTrainerOptions { Device = "cpu", Seed = 3, Width = 8, LearningRate = 1e-3, MaxIterations = 4, PerceptualLayerWeights = [1.0] };
        using var source = Stream(_benchmark.Source, salt: 1);
        using var target = Stream(_benchmark.TargetTrain.WithoutLabels(), salt: 2);
        using var stage = new TranslatorTrainingStage(
            new TranslatorTrainer(options, features),
            options.MaxIterations,
            checkpointInterval: 2,
            Path.Combine(directory, "stage"),
            Path.Combine(directory, "weights"),
            source,
            target,
            seed: 3,
            NullLogger.Instance);
        return await stage.RunAsync(progress, cancellationToken);
    }

    private static BatchStream Stream(ISegmentationDataset data, int salt) => new(
        data,
        new DataLoaderOptions { BatchSize = 1, Shuffle = true, Seed = salt, DropLast = true, Workers = 1, Device = "cpu", Normalization = ImageNormalization.Reference },
        transform: null);

    private static System.Text.Json.JsonElement Manifest(string directory)
    {
        using var archive = ZipFile.OpenRead(Path.Combine(directory, "stage", "last.ckpt"));
        using var stream = archive.GetEntry("manifest.json")!.Open();
        return System.Text.Json.JsonDocument.Parse(stream).RootElement.Clone();
    }

    /// <summary>Reports on the training thread, so a test can cancel at an exact iteration.</summary>
    private sealed class SynchronousProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }

    /// <summary>A frozen one-layer feature extractor; from its n-th call on it returns NaN, as a diverging network would.</summary>
    private sealed class FrozenFeatures : IPerceptualFeatureExtractor, IDisposable
    {
        private readonly Module<Tensor, Tensor> _conv = Conv2d(3, 4, 3, padding: 1);
        private readonly int _nanFromCall;
        private int _calls;

        public FrozenFeatures(int nanFromCall = int.MaxValue)
        {
            _nanFromCall = nanFromCall;
            using var noGrad = no_grad();
            foreach (var parameter in _conv.parameters())
            {
                parameter.uniform_(-0.5, 0.5, new Generator(4));
                parameter.requires_grad = false;
            }
        }

        public IReadOnlyList<Tensor> Extract(Tensor images)
        {
            var features = functional.relu(_conv.forward(images));
            return [++_calls >= _nanFromCall ? features * float.NaN : features];
        }

        public void Dispose() => _conv.Dispose();
    }
}
