using DiGA.Core.Kernels.Distillation;
using DiGA.Core.Kernels.Losses;
using DiGA.Core.Kernels.PseudoLabels;
using DiGA.Core.Tests.Fixtures.stages;
using DiGA.Core.Tests.Helpers;
using DiGA.Core.Training;
using DiGA.Core.Training.Optimization;
using DiGA.Core.Training.Stages;
using FluentAssertions.Execution;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace DiGA.Core.Tests.Training.Stages;

public sealed class WarmUpStageTests(ITestOutputHelper output)
{
    /// <summary>
    /// One warm-up iteration against <c>warm_up_iteration.safetensors</c> (PyTorch 1.13): the same inputs, weights and random
    /// draws give the reference's photometric, translated and CrDoMix views, each loss term and the total, the student's
    /// gradients, its weights and BatchNorm statistics after the SGD step (which include the no-grad target forward), and the
    /// teacher after the EMA step. Tolerances: <see cref="StageParity.Tolerance"/>.
    /// </summary>
    [Fact]
    public void Step_ReferenceInputsAndDraws_MatchesPyTorchRestatementOfTheIteration()
    {
        using var scope = NewDisposeScope();
        using var parity = new StageParity("warm_up_iteration", output);
        var fixture = parity.Fixture;
        var replay = new DrawReplay();
        replay.AddPhotometric(fixture, "photo");
        replay.AddClassChoice(fixture, "classes");
        var photometric = new RecordingPhotometric(replay.Photometric());
        var mixer = new RecordingMixer(replay.Mixer());
        var translator = new RecordingTranslator(parity.Translator);
        var options = new WarmUpOptions
        {
            Stage = new StageOptions
            {
                Iterations = fixture.Int("iterations"),
                BatchSize = 2,
                Optimizer = new SegmentationOptimizerOptions { BaseLearningRate = fixture.Scalar("base_lr") },
            },
        };
        ReferenceConstants(options, fixture);

        parity.LoadTeacherIntoStudent();
        using var stage = new WarmUpStage(
            options,
            parity.Student,
            new StageContext(CPU, Seed: 0),
            new FixedBatches(fixture["x"], fixture.Labels("y")),
            new FixedBatches(fixture["x_t"], labels: null),
            new StageComponents(new CrossEntropy2d(), photometric, new SymmetricDistiller(), mixer, new DynamicPseudoLabelSelector(), translator));
        parity.LoadStudent();

        var losses = stage.Step(parity.Iteration);

        using (new AssertionScope())
        {
            replay.Unused.Should().BeEmpty("the iteration takes every random draw of the reference iteration");
            photometric.Outputs.Should().HaveCount(1, "the photometric view of the source batch");
            translator.Outputs.Should().HaveCount(1, "the translated view of the source batch");
            mixer.Outputs.Should().HaveCount(1, "the cross-domain mixture");
            if (photometric.Outputs.Count == 1 && translator.Outputs.Count == 1 && mixer.Outputs.Count == 1)
            {
                parity.Close("views", photometric.Outputs[0], fixture["photometric"], "photometric view");
                parity.Close("views", translator.Outputs[0], fixture["translated"], "translated view");
                TensorAssert.Equal(mixer.Outputs[0].Mask, fixture.Bool("mask"), "ClassMix mask");
                parity.Close("views", mixer.Outputs[0].Images, fixture["mixed"], "CrDoMix view");
            }

            parity.Loss(losses.Supervised, "loss.supervised");
            parity.Loss(losses.Distillation, "loss.distillation");
            parity.Loss(losses.Total, "loss.total");
            losses.MixedSupervised.Should().BeNull("the warm-up has no loss on the mixed view");
            parity.ModelsAfterStep(stage.Teacher!);
        }

        parity.Report();
    }

    /// <summary>The fixture's constants are the reference's (diga-reference §1.2), and so are the options' defaults.</summary>
    private static void ReferenceConstants(WarmUpOptions options, StageFixture fixture)
    {
        options.SegmentationWeight.Should().Be(1.0);
        options.DistillationWeight.Should().BeApproximately(fixture.Scalar("lambda_kd"), 1e-7);
        options.Photometric.Beta.Should().BeApproximately(fixture.Scalar("beta"), 1e-7);
        options.UseCrossDomainMix.Should().BeTrue();
        options.TargetBatchNormForward.Should().BeTrue();
        new SymmetricDistillationOptions().ReverseWeight.Should().BeApproximately(fixture.Scalar("reverse_weight"), 1e-7);
        options.Stage.PolyPower.Should().BeApproximately(fixture.Scalar("power"), 1e-7);
        options.Stage.Optimizer.Momentum.Should().BeApproximately(fixture.Scalar("momentum"), 1e-7);
        options.Stage.Optimizer.WeightDecay.Should().BeApproximately(fixture.Scalar("weight_decay"), 1e-10);
    }
}
