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

public sealed class SelfTrainingStageTests(ITestOutputHelper output)
{
    /// <summary>
    /// One self-training iteration against <c>self_training_iteration.safetensors</c> (PyTorch 1.13): the same inputs, weights,
    /// centroids and random draws give the reference's photometric views of both domains, the translated and CrDoMix source
    /// views, the dynamically selected pseudo-labels, the cross-domain ClassMix images and labels, the centroids after the
    /// target and source updates, each loss term and the total, the student's gradients, its weights and BatchNorm statistics
    /// after the SGD step, and the teacher after the EMA step. Tolerances: <see cref="StageParity.Tolerance"/>; labels and masks
    /// are exact (the fixture keeps every argmax decision at least 1e-4 away from a tie).
    /// </summary>
    [Fact]
    public void Step_ReferenceInputsAndDraws_MatchesPyTorchRestatementOfTheIteration()
    {
        using var scope = NewDisposeScope();
        using var parity = new StageParity("self_training_iteration", output);
        var fixture = parity.Fixture;
        var replay = new DrawReplay();
        replay.AddPhotometric(fixture, "photo_source");
        replay.AddPhotometric(fixture, "photo_target");
        replay.AddClassChoice(fixture, "crdomix_classes");
        replay.AddClassChoice(fixture, "classmix_classes");
        var photometric = new RecordingPhotometric(replay.Photometric());
        var mixer = new RecordingMixer(replay.Mixer());
        var translator = new RecordingTranslator(parity.Translator);
        var selector = new RecordingSelector(new DynamicPseudoLabelSelector());
        var options = new SelfTrainingOptions
        {
            Stage = new StageOptions
            {
                Iterations = fixture.Int("iterations"),
                BatchSize = 2,
                Optimizer = new SegmentationOptimizerOptions { BaseLearningRate = fixture.Scalar("base_lr") },
            },
        };
        ReferenceConstants(options, fixture);

        // The reference momentum is 1e-4; the fixture's 0.2 makes each update visible in float32.
        using var centroids = new ClassCentroids(fixture["centroids"], new ClassCentroidOptions { Momentum = fixture.Scalar("centroid_momentum"), MinPixels = fixture.Int("min_pixels") });
        parity.LoadTeacherIntoStudent();
        using var stage = new SelfTrainingStage(
            options,
            "selfTraining",
            parity.Student,
            new StageContext(CPU, Seed: 0),
            new FixedBatches(fixture["xs"], fixture.Labels("ys")),
            new FixedBatches(fixture["xt"], fixture.Labels("offline")),
            new StageComponents(new CrossEntropy2d(), photometric, new SymmetricDistiller(), mixer, selector, translator),
            centroids);
        parity.LoadStudent();

        var losses = stage.Step(parity.Iteration);

        using (new AssertionScope())
        {
            replay.Unused.Should().BeEmpty("the iteration takes every random draw of the reference iteration");
            photometric.Outputs.Should().HaveCount(2, "the photometric views of the source and of the target batch");
            translator.Outputs.Should().HaveCount(1, "the translated view of the source batch");
            mixer.Outputs.Should().HaveCount(2, "the cross-domain mixture of the source views and the ClassMix onto the target");
            selector.Outputs.Should().HaveCount(1, "one selection of the target pseudo-labels");
            if (photometric.Outputs.Count == 2 && translator.Outputs.Count == 1 && mixer.Outputs.Count == 2 && selector.Outputs.Count == 1)
            {
                parity.Close("views", photometric.Outputs[0], fixture["photometric"], "photometric view of the source");
                parity.Close("views", photometric.Outputs[1], fixture["target_photometric"], "photometric view of the target");
                parity.Close("views", translator.Outputs[0], fixture["translated"], "translated view");
                TensorAssert.Equal(mixer.Outputs[0].Mask, fixture.Bool("mask"), "CrDoMix mask");
                parity.Close("views", mixer.Outputs[0].Images, fixture["mixed"], "CrDoMix view");
                TensorAssert.Equal(selector.Outputs[0].Labels, fixture.Labels("selected"), "selected pseudo-labels");
                TensorAssert.Equal(mixer.Outputs[1].Mask, fixture.Bool("classmix_mask"), "ClassMix mask");
                parity.Close("views", mixer.Outputs[1].Images, fixture["classmix_images"], "ClassMix images");
                mixer.Outputs[1].Labels.Should().NotBeNull("the ClassMix composes the source labels with the selected pseudo-labels");
                if (mixer.Outputs[1].Labels is { } mixedLabels)
                {
                    TensorAssert.Equal(mixedLabels, fixture.Labels("classmix_labels"), "ClassMix labels");
                }
            }

            parity.Loss(losses.KeptFraction, "kept_fraction");
            parity.Close("centroids", centroids.Centroids, fixture["centroids_after"], "centroids after the target and source updates");
            parity.Loss(losses.Supervised, "loss.supervised");
            parity.Loss(losses.MixedSupervised, "loss.mixed_supervised");
            parity.Loss(losses.Distillation, "loss.distillation");
            parity.Loss(losses.Total, "loss.total");
            parity.ModelsAfterStep(stage.Teacher!);
        }

        parity.Report();
    }

    /// <summary>The fixture's constants are the reference's GTA5 self-training ones (diga-reference §1.2), and so are the options' defaults.</summary>
    private static void ReferenceConstants(SelfTrainingOptions options, StageFixture fixture)
    {
        options.SegmentationWeight.Should().Be(1.0);
        options.DistillationWeight.Should().BeApproximately(fixture.Scalar("lambda_kd"), 1e-7);
        options.Photometric.Beta.Should().BeApproximately(fixture.Scalar("beta"), 1e-7);
        new SymmetricDistillationOptions().ReverseWeight.Should().BeApproximately(fixture.Scalar("reverse_weight"), 1e-7);
        new ClassCentroidOptions().MinPixels.Should().Be(fixture.Int("min_pixels"));
        options.Stage.PolyPower.Should().BeApproximately(fixture.Scalar("power"), 1e-7);
        options.Stage.Optimizer.Momentum.Should().BeApproximately(fixture.Scalar("momentum"), 1e-7);
        options.Stage.Optimizer.WeightDecay.Should().BeApproximately(fixture.Scalar("weight_decay"), 1e-10);
    }
}
