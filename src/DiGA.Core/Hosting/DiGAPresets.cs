using DiGA.Core.Data.Transforms;
using DiGA.Core.Labels;
using DiGA.Core.Models;
using DiGA.Core.Models.Compact;
using DiGA.Core.Models.DeepLab;
using DiGA.Core.Models.MixTransformer;
using DiGA.Core.Training;
using DiGA.Core.Training.Optimization;
using DiGA.Core.Translation;

namespace DiGA.Core.Hosting;

/// <summary>Ready-made <see cref="DiGAOptions"/>: the reference GTA5 → Cityscapes and SYNTHIA → Cityscapes settings, the same with DAFormer (MiT-B5), and the CPU demo on the built-in synthetic benchmark.</summary>
/// <remarks>
/// Each call returns a new instance that the caller may adjust. <c>docs/configuration.md</c> lists every value and <c>docs/fidelity.md</c> the deliberate deviations.
/// The reference presets (all but <see cref="SyntheticDemo"/>) mix with the learned translator, as the reference does: they need the
/// weights of stage 0 in <see cref="TranslatorOptions.LearnedWeightsDirectory"/>, or <see cref="TranslatorOptions.Kind"/> set to a
/// training-free translator (Reinhard, Fourier), and the stages that mix fail at their start otherwise.
/// </remarks>
public static class DiGAPresets
{
    /// <summary>Gets the names accepted by <see cref="Get"/>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["gta5-cityscapes", "synthia-cityscapes", "gta5-cityscapes-daformer", "synthia-cityscapes-daformer", "synthetic-demo"];

    /// <summary>Gets a preset by name.</summary>
    /// <param name="name">One of <see cref="Names"/> (case-insensitive).</param>
    /// <returns>A new options instance.</returns>
    /// <exception cref="ArgumentException">The name is unknown.</exception>
    public static DiGAOptions Get(string name) => name?.Trim().ToLowerInvariant() switch
    {
        "gta5-cityscapes" => Gta5ToCityscapes(),
        "synthia-cityscapes" => SynthiaToCityscapes(),
        "gta5-cityscapes-daformer" => Gta5ToCityscapesDAFormer(),
        "synthia-cityscapes-daformer" => SynthiaToCityscapesDAFormer(),
        "synthetic-demo" => SyntheticDemo(),
        _ => throw new ArgumentException($"Unknown preset '{name}'. Known presets: {string.Join(", ", Names)}.", nameof(name)),
    };

    /// <summary>Replaces every value of <paramref name="target"/> with those of a preset.</summary>
    /// <param name="name">One of <see cref="Names"/>.</param>
    /// <param name="target">The options to overwrite.</param>
    public static void ApplyTo(string name, DiGAOptions target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var preset = Get(name);
        target.Device = preset.Device;
        target.Seed = preset.Seed;
        target.Model = preset.Model;
        target.Pipeline = preset.Pipeline;
        target.Distillation = preset.Distillation;
        target.Mixing = preset.Mixing;
        target.Selector = preset.Selector;
        target.FixedThreshold = preset.FixedThreshold;
        target.ClassBalanced = preset.ClassBalanced;
        target.Translator = preset.Translator;
    }

    /// <summary>
    /// The reference GTA5 → Cityscapes setting: DeepLabV2-ResNet-101, 19 classes, 512×896 crops, the learned translator (its
    /// weights, trained by stage 0, must be supplied), warm-up 80k iterations (λ_kd 0.5, s 0.5, β 0.4), two self-training rounds
    /// of 80k (λ_kd 0.25, β 0.3), SGD 2.5e-4 with poly 0.9, EMA cap 0.999, initial centroids on targets resized to 512×1024
    /// over 5 passes, each stage's best checkpoint on the target validation set carried to the next
    /// (<see cref="CarriedModel.BestOnValidation"/>: needs validation labels), and the reference's domain-generalisation script
    /// as <see cref="DiGAPipelineOptions.DomainGeneralization"/> (<see cref="WarmUpOptions.DomainGeneralization"/>), and the
    /// reference's two training streams per domain: source images pre-resized to 720×1280 and 1052×1914, target images to
    /// 512×1024 and 1024×2048, split 1 + 2 in the warm-up, 2 + 1 in self-training, 2 + 2 in domain generalisation and 1 + 1
    /// in the translator's training. The defaults of <see cref="DiGAOptions"/> are this preset with one stream per domain at
    /// the loaded size and the last state carried (<see cref="CarriedModel.Last"/>).
    /// </summary>
    /// <returns>A new options instance.</returns>
    public static DiGAOptions Gta5ToCityscapes()
    {
        var options = new DiGAOptions();
        options.Pipeline.CarriedModel = CarriedModel.BestOnValidation;
        options.Pipeline.Data.SourceStreams = [Stream(720, 1280), Stream(1052, 1914)];
        options.Pipeline.Data.TargetStreams = [Stream(512, 1024), Stream(1024, 2048)];
        options.Pipeline.WarmUp.Stage.StreamShares = [1, 2];
        options.Pipeline.DomainGeneralization.Stage.StreamShares = [2, 2];
        options.Pipeline.SelfTraining.Stage.StreamShares = [2, 1];
        options.Translator.Training.StreamShares = [1, 1];
        return options;
    }

    /// <summary>
    /// The reference SYNTHIA → Cityscapes setting: 16 classes, OHEM cross-entropy, the learned translator (weights from stage 0), warm-up 60k iterations with batch 4,
    /// λ_kd 0.25 and s 0.25, colour jitter p 0.7 and grayscale p 0.1, plain (not rescaled) warm-up crops; self-training as
    /// for GTA5, and so are the initial centroids and the carried model; the domain-generalisation run keeps the GTA5 script's
    /// values (the reference has none for SYNTHIA). The warm-up uses the poly schedule; set its <see cref="StageOptions.Schedule"/>
    /// to <see cref="LearningRateSchedule.LinearRamp"/> to reproduce the released script's linear ramp. Two training streams per
    /// domain: source images at 760×1280 and upsampled to 1140×1920, target images at 512×1024 and 1024×2048, split 1 + 3 in
    /// the warm-up and 1 + 2 in self-training.
    /// </summary>
    /// <returns>A new options instance.</returns>
    public static DiGAOptions SynthiaToCityscapes()
    {
        var options = Gta5ToCityscapes();
        options.Model.ClassNames = [.. LabelSpace.Cityscapes16.ClassNames];
        options.Pipeline.Data.SourceStreams = [Stream(760, 1280), Stream(1140, 1920)];
        options.Pipeline.WarmUp.Stage.StreamShares = [1, 3];
        options.Pipeline.SelfTraining.Stage.StreamShares = [1, 2];
        options.Pipeline.SupervisedLoss = SupervisedLossKind.Ohem;
        options.Pipeline.WarmUp.Stage.Iterations = 60_000;
        options.Pipeline.WarmUp.Stage.BatchSize = 4;
        options.Pipeline.WarmUp.Stage.RandomScale = false;
        options.Pipeline.WarmUp.DistillationWeight = 0.25;
        options.Pipeline.WarmUp.Photometric.ColorJitterProbability = 0.7;
        options.Pipeline.WarmUp.Photometric.GrayscaleProbability = 0.1;
        options.Distillation.ReverseWeight = 0.25;
        return options;
    }

    /// <summary>
    /// GTA5 → Cityscapes with DAFormer (<c>mit-b5+daformer</c>, ImageNet input normalisation) and DAFormer's optimisation in
    /// every stage: AdamW, learning rate 6e-5 (head 10×, no weight decay on encoder norms), weight decay 0.01, 1,500 iterations
    /// of linear warm-up then poly 1.0, batch 2, 512×512 crops from one stream per domain. DiGA's losses, weights, iteration counts and teacher are
    /// those of <see cref="Gta5ToCityscapes"/>. Load the ImageNet encoder weights with
    /// <see cref="Models.Weights.WeightImportOptions.ForMixTransformerImageNet"/> before training.
    /// </summary>
    /// <returns>A new options instance.</returns>
    public static DiGAOptions Gta5ToCityscapesDAFormer()
    {
        var options = Gta5ToCityscapes();
        ConfigureDAFormer(options);
        return options;
    }

    /// <summary>
    /// SYNTHIA → Cityscapes (16 classes, OHEM, the SYNTHIA warm-up weights and augmentations of <see cref="SynthiaToCityscapes"/>)
    /// with DAFormer and DAFormer's optimisation, as in <see cref="Gta5ToCityscapesDAFormer"/> (batch 2 in every stage).
    /// </summary>
    /// <returns>A new options instance.</returns>
    public static DiGAOptions SynthiaToCityscapesDAFormer()
    {
        var options = SynthiaToCityscapes();
        ConfigureDAFormer(options);
        return options;
    }

    /// <summary>
    /// The CPU demo on the built-in synthetic benchmark (64×128 images): the compact model, the Reinhard translator (no stage 0), AdamW 2e-3 with poly decay,
    /// batches of 8 without cropping, 500 supervised, warm-up and domain-generalisation iterations, two self-training rounds of 150 iterations,
    /// an EMA cap of 0.99 with buffers copied (a 0.999 teacher lags behind a few-hundred-iteration student), the EMA teacher
    /// as each stage's result, validation (for the curves) every 125 iterations and checkpoints every 100. The initial centroids
    /// take one pass at the loaded size, and each stage's last state carries over (no selection on target labels).
    /// </summary>
    /// <returns>A new options instance.</returns>
    public static DiGAOptions SyntheticDemo()
    {
        var options = new DiGAOptions { Device = "cpu" };
        options.Translator.Kind = TranslatorKind.Reinhard;
        options.Translator.Fourier.Beta = 0.02; // the demo's Fourier baseline: a 3×3 band at 64×128 (β 0.01 swaps nothing there)
        options.Model.Architecture = CompactArchitecture.Name;
        options.Pipeline.Data.CropHeight = null;
        options.Pipeline.Data.CropWidth = null;
        options.Pipeline.Data.SourceRejectionSampling = false;
        options.Pipeline.Data.InferenceBatchSize = 50;
        options.Pipeline.Data.Workers = 2;
        ConfigureDemoStage(options.Pipeline.Supervised, 500);
        ConfigureDemoStage(options.Pipeline.WarmUp.Stage, 500);
        ConfigureDemoStage(options.Pipeline.DomainGeneralization.Stage, 500);
        ConfigureDemoStage(options.Pipeline.SelfTraining.Stage, 150);
        options.Pipeline.SelfTraining.Stage.Optimizer.BaseLearningRate = 1e-3;
        options.Pipeline.Centroids.Momentum = 1e-3;
        options.Pipeline.InitialCentroids.ResizeHeight = null;
        options.Pipeline.InitialCentroids.ResizeWidth = null;
        options.Pipeline.InitialCentroids.Passes = 1;
        options.Pipeline.CarriedModel = CarriedModel.Last;
        return options;
    }

    private static void ConfigureDAFormer(DiGAOptions options)
    {
        options.Model.Architecture = MixTransformerArchitecture.DAFormerB5;
        options.Model.Normalization = InputNormalizationPreset.ImageNet;
        options.Pipeline.Data.CropHeight = 512;
        options.Pipeline.Data.CropWidth = 512;
        options.Pipeline.Data.SourceStreams = [];
        options.Pipeline.Data.TargetStreams = [];
        options.Translator.Training.StreamShares = [];
        foreach (var stage in new[] { options.Pipeline.Supervised, options.Pipeline.WarmUp.Stage, options.Pipeline.DomainGeneralization.Stage, options.Pipeline.SelfTraining.Stage })
        {
            stage.BatchSize = 2;
            stage.StreamShares = [];
            stage.Optimizer.Kind = OptimizerKind.AdamW;
            stage.Optimizer.BaseLearningRate = 6e-5;
            stage.Optimizer.WeightDecay = 0.01;
            stage.Schedule = LearningRateSchedule.Poly;
            stage.PolyPower = 1.0;
            stage.LearningRateWarmUpIterations = 1500;
        }
    }

    private static TrainingStreamOptions Stream(int height, int width) => new() { PreResizeHeight = height, PreResizeWidth = width };

    private static void ConfigureDemoStage(StageOptions stage, int iterations)
    {
        stage.Iterations = iterations;
        stage.BatchSize = 8;
        stage.Optimizer.Kind = OptimizerKind.AdamW;
        stage.Optimizer.BaseLearningRate = 2e-3;
        stage.Optimizer.WeightDecay = 1e-4;
        stage.Teacher.DecayCap = 0.99;
        stage.Teacher.UpdateBuffers = true;
        stage.EvaluateTeacher = true;
        stage.ValidationInterval = 125;
        stage.CheckpointInterval = 100;
        stage.LogInterval = 10;
    }
}
