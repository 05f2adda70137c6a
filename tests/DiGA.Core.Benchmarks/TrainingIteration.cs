using DiGA.Core.Foundation;
using DiGA.Core.Kernels.Augmentation;
using DiGA.Core.Kernels.Distillation;
using DiGA.Core.Kernels.Losses;
using DiGA.Core.Kernels.Mixing;
using DiGA.Core.Kernels.PseudoLabels;
using DiGA.Core.Kernels.Teacher;
using DiGA.Core.Models.Compact;
using DiGA.Core.Models.DeepLab;
using DiGA.Core.Training.Optimization;
using DiGA.Core.Translation.Learned;
using static TorchSharp.torch;

namespace DiGA.Core.Benchmarks;

/// <summary>
/// One warm-up iteration or one self-training iteration (§9.2), composed from the public
/// DiGA.Core pieces exactly as <c>reference/bench_reference.py</c> composes the PyTorch ones: poly learning rate, EMA
/// teacher update, Photo_β, the second view, ClassMix, student and teacher forwards, dynamic selection, online centroid
/// update, the losses and one SGD step. Inputs are fixed random batches, so only the computation is measured.
/// </summary>
/// <remarks>
/// DeepLabV2-R101 uses the learned translator (random weights) for the second view, as the reference does. The compact
/// model uses a second photometric view without sharpness instead (the domain-generalisation variant of §6.5), and ClassMix
/// between the two views, on both sides.
/// </remarks>
internal sealed class TrainingIteration : IDisposable
{
    private readonly ISegmentationModel _student;
    private readonly EmaTeacher _teacher;
    private readonly SegmentationOptimizer _optimizer;
    private readonly PolyLearningRate _schedule = new();
    private readonly PhotometricAugmentation _photometric = new();
    private readonly PhotometricAugmentationOptions _warmupPhoto = new() { Beta = 0.4 };
    private readonly PhotometricAugmentationOptions _selfTrainingPhoto = new() { Beta = 0.3 };
    private readonly PhotometricAugmentationOptions _warmupSecondView = new() { Beta = 0.4, SharpnessEnabled = false };
    private readonly PhotometricAugmentationOptions _selfTrainingSecondView = new() { Beta = 0.3, SharpnessEnabled = false };
    private readonly LearnedTranslator? _translator;
    private readonly ClassMixMixer _mixer = new();
    private readonly SymmetricDistiller _distiller = new();
    private readonly CrossEntropy2d _crossEntropy = new();
    private readonly DynamicPseudoLabelSelector _selector = new();
    private readonly ClassCentroids _centroids;
    private readonly Generator _generator;
    private readonly Tensor _source, _sourceLabels, _target, _offlineLabels;
    private long _iteration;

    private TrainingIteration(ISegmentationModel student, int featureChannels, long batch, long height, long width, bool withTranslator)
    {
        _student = student;
        _student.Module.train();
        _teacher = new EmaTeacher(student);
        _teacher.Model.Module.train();
        _optimizer = new SegmentationOptimizer(student);
        _generator = Inputs.Generator(7);
        using var inputs = Inputs.Generator(1);
        using (var initial = randn([Inputs.Classes, featureChannels], generator: inputs))
        {
            _centroids = new ClassCentroids(initial);
        }

        var cell = Math.Max(4, height / 16);
        _source = Inputs.Images(batch, height, width, inputs);
        _sourceLabels = Inputs.BlockLabels(batch, height, width, inputs, cell: cell);
        _target = Inputs.Images(batch, height, width, inputs);
        _offlineLabels = Inputs.BlockLabels(batch, height, width, inputs, cell: cell, dense: true);
        if (withTranslator)
        {
            _translator = CreateTranslator();
        }
    }

    /// <summary>Gets the batch size.</summary>
    public long Batch => _source.shape[0];

    /// <summary>DeepLabV2-R101 (reference architecture, random weights) at B=2, 256×448, with the learned translator.</summary>
    public static TrainingIteration DeepLabR101() =>
        new(new DeepLabV2(new DeepLabV2Options { Device = "cpu" }), 256, IterationBenchmarks.R101Batch, IterationBenchmarks.R101Height, IterationBenchmarks.R101Width, withTranslator: true);

    /// <summary>The compact model with its default options, by default at B=8, 128×256.</summary>
    public static TrainingIteration Compact(
        long batch = IterationBenchmarks.CompactBatch, long height = IterationBenchmarks.CompactHeight, long width = IterationBenchmarks.CompactWidth)
    {
        var options = new CompactSegmentationModelOptions { Device = "cpu" };
        return new(new CompactSegmentationModel(options), options.FeatureChannels, batch, height, width, withTranslator: false);
    }

    /// <summary>One warm-up iteration (§6.1).</summary>
    public void WarmupStep()
    {
        using var scope = NewDisposeScope();
        var n = Batch;
        var size = new[] { _source.shape[2], _source.shape[3] };
        _schedule.Apply(_optimizer, _iteration);
        _teacher.Update(_student, _iteration);

        var augmented = _photometric.Augment(new PhotometricArguments(_source, _warmupPhoto, _generator));
        var secondView = _translator is null ? _photometric.Augment(new PhotometricArguments(_source, _warmupSecondView, _generator)) : _translator.Translate(new(_source, _generator));
        using var mixed = _mixer.Mix(new CrossDomainMixArguments(augmented, _sourceLabels, secondView, _generator));
        var both = cat([_source, mixed.Images], 0);

        using var student = _student.Forward(both);
        var studentLogits = Upsample(student.Logits, size);
        Tensor teacherLogits;
        using (no_grad())
        {
            _student.Forward(_target).Dispose();
            using var teacher = _teacher.Model.Forward(both);
            teacherLogits = Upsample(teacher.Logits, size);
        }

        var supervised = _crossEntropy.Compute(studentLogits.narrow(0, 0, n), _sourceLabels);
        var distillation = _distiller.ComputeLoss(new DistillationArguments(
            studentLogits.narrow(0, 0, n), studentLogits.narrow(0, n, n), teacherLogits.narrow(0, 0, n), teacherLogits.narrow(0, n, n)));
        var loss = supervised.add(distillation, Scalars.Of(0.5));
        _optimizer.ZeroGrad();
        loss.backward();
        _optimizer.Step();
        _iteration++;
    }

    /// <summary>One self-training iteration (§9.2).</summary>
    public void SelfTrainingStep()
    {
        using var scope = NewDisposeScope();
        var n = Batch;
        var size = new[] { _source.shape[2], _source.shape[3] };
        _schedule.Apply(_optimizer, _iteration);
        _teacher.Update(_student, _iteration);

        var sourceAugmented = _photometric.Augment(new PhotometricArguments(_source, _selfTrainingPhoto, _generator));
        var targetAugmented = _photometric.Augment(new PhotometricArguments(_target, _selfTrainingPhoto, _generator));
        var secondView = _translator is null ? _photometric.Augment(new PhotometricArguments(_source, _selfTrainingSecondView, _generator)) : _translator.Translate(new(_source, _generator));
        using var sourceMixed = _mixer.Mix(new CrossDomainMixArguments(sourceAugmented, _sourceLabels, secondView, _generator));
        var both = cat([_source, sourceMixed.Images], 0);

        using var student = _student.Forward(both);
        MixedBatch crossDomain;
        Tensor teacherLogits;
        using (no_grad())
        {
            using var teacher = _teacher.Model.Forward(both);
            using var teacherTarget = _teacher.Model.Forward(_target);
            using var selection = _selector.Select(new PseudoLabelArguments(_offlineLabels, teacherTarget.Logits, teacherTarget.Features) { Centroids = _centroids.Centroids });
            crossDomain = _mixer.Mix(new CrossDomainMixArguments(_source, _sourceLabels, targetAugmented, _generator) { BackgroundLabels = selection.Labels });
            _centroids.Update(teacherTarget.Features, teacherTarget.Logits, selection.Labels);
            _centroids.Update(teacher.Features.narrow(0, n, n), teacher.Logits.narrow(0, n, n), _sourceLabels);
            teacherLogits = Upsample(teacher.Logits, size);
        }

        using (crossDomain)
        {
            using var mixedOutput = _student.Forward(crossDomain.Images);
            var studentLogits = Upsample(student.Logits, size);
            var supervised = _crossEntropy.Compute(studentLogits.narrow(0, 0, n), _sourceLabels);
            var pseudo = _crossEntropy.Compute(Upsample(mixedOutput.Logits, size), crossDomain.Labels!);
            var distillation = _distiller.ComputeLoss(new DistillationArguments(
                studentLogits.narrow(0, 0, n), studentLogits.narrow(0, n, n), teacherLogits.narrow(0, 0, n), teacherLogits.narrow(0, n, n)));
            var loss = supervised.add(pseudo, Scalars.One).add(distillation, Scalars.Of(0.25));
            _optimizer.ZeroGrad();
            loss.backward();
            _optimizer.Step();
        }

        _iteration++;
    }

    public void Dispose()
    {
        _translator?.Dispose();
        _optimizer.Dispose();
        _teacher.Dispose();
        _student.Dispose();
        _centroids.Dispose();
        _generator.Dispose();
        foreach (var t in new[] { _source, _sourceLabels, _target, _offlineLabels })
        {
            t.Dispose();
        }
    }

    private static Tensor Upsample(Tensor logits, long[] size) =>
        nn.functional.interpolate(logits, size, mode: InterpolationMode.Bilinear, align_corners: true);

    /// <summary>The learned translator of §3.2 with random weights, written to a temporary folder and loaded through the public API.</summary>
    private static LearnedTranslator CreateTranslator()
    {
        var directory = Directory.CreateTempSubdirectory("diga-bench-translator-");
        try
        {
            using (var encoder = new ImageEncoder())
            using (var decoder = new ImageDecoder())
            {
                LearnedTranslator.SaveWeights(encoder, decoder, directory.FullName);
            }

            return LearnedTranslator.Load(directory.FullName, new LearnedTranslatorOptions { Device = "cpu" });
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
