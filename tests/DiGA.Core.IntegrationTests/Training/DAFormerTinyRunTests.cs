using DiGA.Core.Data;
using DiGA.Core.Data.Synthetic;
using DiGA.Core.Models;
using DiGA.Core.Models.MixTransformer;
using DiGA.Core.Training;
using DiGA.Core.Training.Pipeline;
using DiGA.Core.Training.Optimization;
using static TorchSharp.torch;

namespace DiGA.Core.IntegrationTests.Training;

/// <summary>A narrow MiT-B0 DAFormer model goes through one warm-up and one self-training iteration of the pipeline (CPU).</summary>
[Collection(SequentialTraining.Name)]
public class DAFormerTinyRunTests
{
    [Fact]
    public async Task WarmUpThenSelfTraining_MitB0DAFormer_RunsOneIterationEachAndChangesTheWeights()
    {
        var root = TinyRun.TemporaryDirectory();
        try
        {
            var benchmark = new SyntheticBenchmark(TinyRun.Benchmark());
            var data = new DiGADatasets(benchmark.Source, benchmark.TargetTrain.WithoutLabels());
            var options = TinyRun.Options(root.FullName, iterations: 1);
            options.Model.Architecture = "mit-b0+daformer";
            options.Model.BackboneWidth = 4;
            options.Model.FeatureChannels = 16;
            options.Model.Normalization = InputNormalizationPreset.ImageNet;
            options.Pipeline.SelfTraining.Rounds = 1;
            // Half-scale 32×64 images are below the encoder's 29-pixel minimum (its first reduction needs an 8×8 token grid).
            options.Pipeline.PseudoLabels.Scales = [1.0];
            options.Pipeline.Evaluation.Scales = [1.0];
            foreach (var stage in new[] { options.Pipeline.WarmUp.Stage, options.Pipeline.SelfTraining.Stage })
            {
                stage.BatchSize = 2;
                stage.Optimizer.Kind = OptimizerKind.AdamW;
                stage.Optimizer.BaseLearningRate = 6e-5;
                stage.Optimizer.WeightDecay = 0.01;
                stage.PolyPower = 1.0;
                stage.EvaluateTeacher = false; // as in the DAFormer presets: the stage keeps the student
            }

            // The warm-up stage starts DAFormer's linear learning-rate warm-up (iteration 0 runs at 1e-6 of the rate); the
            // self-training stage runs without it so that its single AdamW step visibly moves the weights.
            options.Pipeline.WarmUp.Stage.LearningRateWarmUpIterations = 1500;

            using var model = TinyRun.Model(options);
            model.Should().BeOfType<MixTransformerModel>();
            model.Info.OutputStride.Should().Be(4);
            using var initial = model.Module.state_dict()["decode_head.conv_seg.weight"].clone();

            var warmUp = await TinyRun.Pipeline(options).WarmUpAsync(new WarmUpRequest(model, data.Source) { Target = data.TargetTrain });
            warmUp.Iterations.Should().Be(1);
            using var afterWarmUp = model.Module.state_dict()["decode_head.conv_seg.weight"].clone();
            var selfTraining = await TinyRun.Pipeline(options).SelfTrainAsync(new SelfTrainingRequest(model, data));

            selfTraining.Should().ContainSingle().Which.Iterations.Should().Be(1);
            foreach (var (name, tensor) in model.Module.state_dict())
            {
                if (tensor.is_floating_point())
                {
                    tensor.isfinite().all().item<bool>().Should().BeTrue(name);
                }
            }

            // AdamW's first step moves each weight by about its learning rate: 6e-10 (head, 10 × 6e-5 × 1e-6) in the warm-up
            // stage, below float32 resolution of weights ~1e-2, and 6e-4 in the self-training stage.
            using var warmUpChange = (afterWarmUp - initial).abs().max();
            warmUpChange.item<float>().Should().BeLessThan(1e-7f, "the learning-rate warm-up starts near zero");
            using var selfTrainingChange = (model.Module.state_dict()["decode_head.conv_seg.weight"] - afterWarmUp).abs().max();
            selfTrainingChange.item<float>().Should().BeGreaterThan(1e-4f, "AdamW updated the classifier");
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }
}
