using DiGA.Core.Models.MixTransformer;
using DiGA.Core.Tests.Helpers;
using DiGA.Core.Training;
using DiGA.Core.Training.Optimization;
using DiGA.Core.Training.Stages;
using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Tests.Training.Stages;

/// <summary>
/// The dropout and drop-path masks of a stage iteration depend only on the stage seed and the iteration: not on what the
/// process drew from libtorch's global generator before, nor on draws other threads make from it meanwhile.
/// </summary>
/// <remarks>
/// The probe stage runs a narrow MiT-B0 DAFormer (drop path 0.3, decoder Dropout2d 0.5) in train mode on fixed images
/// and keeps the decoder features; its loss is zero times the logits, so with weight decay 0 the SGD step leaves the
/// weights as they were and the features of two steps differ only by their masks.
/// </remarks>
public sealed class StageDropoutTests
{
    [Fact]
    public void Step_SameIteration_DrawsTheSameMasksWhileOtherThreadsDrawFromTheGlobalGenerator()
    {
        using var scope = NewDisposeScope();
        using var model = Model();
        var images = Images();
        using var stage = new FeatureProbeStage(model, seed: 7, images);

        var first = stage.Probe(3);
        using (DrawFromTheGlobalGeneratorMeanwhile())
        {
            rand(1000).Dispose();
            var again = stage.Probe(3);
            TensorAssert.Equal(again, first, "iteration 3 draws the same masks again");
        }

        using var resumed = new FeatureProbeStage(model, seed: 7, images);
        TensorAssert.Equal(resumed.Probe(3), first, "a trainer resumed at iteration 3 draws the masks of iteration 3");
    }

    [Fact]
    public void Step_OtherIterationOrSeed_DrawsOtherMasks()
    {
        using var scope = NewDisposeScope();
        using var model = Model();
        var images = Images();
        using var stage = new FeatureProbeStage(model, seed: 7, images);
        using var otherSeed = new FeatureProbeStage(model, seed: 8, images);

        var reference = stage.Probe(3);

        // With half of the 16 decoder channels dropped per image, two independent masks agree on every channel of both
        // images with probability 2^-32; the drop-path masks only add differences.
        ChannelsThatDiffer(stage.Probe(4), reference).Should().BeGreaterThan(0, "iteration 4 draws other masks");
        ChannelsThatDiffer(otherSeed.Probe(3), reference).Should().BeGreaterThan(0, "another stage seed draws other masks");
    }

    [Fact]
    public void Step_DropoutMasks_ZeroWholeChannelsAndScaleTheRest()
    {
        using var scope = NewDisposeScope();
        using var model = Model();
        var images = Images();
        using var stage = new FeatureProbeStage(model, seed: 7, images);

        var features = stage.Probe(5);
        model.Module.eval();
        Tensor undropped;
        try
        {
            // In eval mode neither dropout nor drop path is applied, and BatchNorm uses running statistics: compare the
            // channels only through which of them are entirely zero.
            using var noGrad = no_grad();
            undropped = model.Forward(images).Features.detach().clone();
        }
        finally
        {
            model.Module.train();
        }

        var zeroChannels = features.abs().amax([2, 3]).eq(0);
        var zeroFraction = zeroChannels.to(ScalarType.Float32).mean().item<float>();
        zeroFraction.Should().BeInRange(0.15f, 0.85f, "Dropout2d(0.5) zeroes about half of the 2 × 16 channels");
        undropped.abs().amax([2, 3]).eq(0).sum().item<long>().Should().BeLessThan(zeroChannels.sum().item<long>());
    }

    private static long ChannelsThatDiffer(Tensor actual, Tensor expected) =>
        actual.ne(expected).any(2).any(2).sum().item<long>();

    private static MixTransformerModel Model() => new(new MixTransformerOptions
    {
        Variant = MixTransformerVariant.B0,
        Decoder = MixTransformerDecoder.DAFormer,
        ClassNames = ["a", "b", "c"],
        Width = 4,
        DecoderChannels = 16,
        DropPathRate = 0.3,
        DropoutRate = 0.5,
        Device = "cpu",
        Seed = 3,
    });

    private static Tensor Images() => randn([2, 3, 32, 64], generator: new Generator(11));

    /// <summary>Starts a thread that draws from libtorch's global generator until the returned handle is disposed.</summary>
    private static IDisposable DrawFromTheGlobalGeneratorMeanwhile()
    {
        var stop = new CancellationTokenSource();
        var started = new ManualResetEventSlim();
        var thread = new Thread(() =>
        {
            started.Set();
            while (!stop.IsCancellationRequested)
            {
                using var draw = rand(256);
            }
        })
        { IsBackground = true };
        thread.Start();
        started.Wait();
        return new Stopper(stop, thread, started);
    }

    private sealed class Stopper(CancellationTokenSource stop, Thread thread, ManualResetEventSlim started) : IDisposable
    {
        public void Dispose()
        {
            stop.Cancel();
            thread.Join();
            stop.Dispose();
            started.Dispose();
        }
    }

    private sealed class FeatureProbeStage(MixTransformerModel student, int seed, Tensor images)
        : StageTrainer("probe", ProbeOptions(), student, useTeacher: false, new StageContext(CPU, seed))
    {
        private Tensor? _features;

        /// <summary>Runs <see cref="StageTrainer.Step"/> at <paramref name="iteration"/> in train mode and returns the decoder features it computed.</summary>
        public Tensor Probe(int iteration)
        {
            Student.Module.train();
            _ = Step(iteration);
            return _features!;
        }

        protected override void PositionData(int iteration)
        {
        }

        protected override StageLossTensors ComputeLosses(int iteration)
        {
            using var output = Student.Forward(images);
            _features = output.Features.detach().clone();
            var loss = output.Logits.sum() * 0.0;
            return new StageLossTensors(loss, loss);
        }

        private static StageOptions ProbeOptions() => new()
        {
            Iterations = 10,
            Optimizer = new SegmentationOptimizerOptions { Kind = OptimizerKind.Sgd, BaseLearningRate = 1e-3, WeightDecay = 0.0 },
        };
    }
}
