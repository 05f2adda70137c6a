using DiGA.Core.Data;
using DiGA.Core.Data.Synthetic;
using DiGA.Core.Training;
using DiGA.Core.Training.Pipeline;
using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.IntegrationTests.Training;

/// <summary>A stage cancelled mid-way and resumed from its checkpoint ends with the same weights as an uninterrupted run (CPU).</summary>
[Collection(SequentialTraining.Name)]
public class ResumeTests
{
    [Fact]
    public async Task SelfTraining_CancelledMidStageThenResumed_MatchesUninterruptedWeights()
    {
        var root = TinyRun.TemporaryDirectory();
        try
        {
            var benchmark = new SyntheticBenchmark(TinyRun.Benchmark());
            var data = new DiGADatasets(benchmark.Source, benchmark.TargetTrain.WithoutLabels());
            var warmUpOptions = TinyRun.Options(Path.Combine(root.FullName, "warm-up"));
            using var warmUp = TinyRun.Model(warmUpOptions);
            await TinyRun.Pipeline(warmUpOptions).WarmUpAsync(new WarmUpRequest(warmUp, data.Source) { Target = data.TargetTrain });

            using var uninterrupted = warmUp.Clone();
            var straight = TinyRun.Options(Path.Combine(root.FullName, "straight"), iterations: 6);
            straight.Pipeline.SelfTraining.Rounds = 1;
            await TinyRun.Pipeline(straight).SelfTrainAsync(new SelfTrainingRequest(uninterrupted, data));

            using var resumed = warmUp.Clone();
            var interrupted = TinyRun.Options(Path.Combine(root.FullName, "interrupted"), iterations: 6);
            interrupted.Pipeline.SelfTraining.Rounds = 1;
            using var cancellation = new CancellationTokenSource();
            var cancelAtThree = new Inline(p =>
            {
                if (p.Iteration == 3)
                {
                    cancellation.Cancel();
                }
            });
            var cancelled = () => TinyRun.Pipeline(interrupted).SelfTrainAsync(new SelfTrainingRequest(resumed, data), cancelAtThree, cancellation.Token);
            await cancelled.Should().ThrowAsync<OperationCanceledException>();
            var checkpoint = Path.Combine(interrupted.Pipeline.WorkDirectory, "stages", "selfTraining", "last.ckpt");
            File.Exists(checkpoint).Should().BeTrue("cancellation writes a checkpoint first");

            var results = await TinyRun.Pipeline(interrupted).SelfTrainAsync(new SelfTrainingRequest(resumed, data));

            results.Should().ContainSingle().Which.Iterations.Should().Be(6);
            var expected = uninterrupted.Module.state_dict();
            var actual = resumed.Module.state_dict();
            actual.Keys.Should().BeEquivalentTo(expected.Keys);
            foreach (var (name, tensor) in expected)
            {
                using var difference = (actual[name].to(ScalarType.Float64) - tensor.to(ScalarType.Float64)).abs().max();
                difference.item<double>().Should().Be(0, "parameter or buffer '{0}' must match the uninterrupted run exactly", name);
            }
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    private sealed class Inline(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
