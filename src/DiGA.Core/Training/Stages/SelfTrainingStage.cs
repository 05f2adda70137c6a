using DiGA.Core.Foundation;
using DiGA.Core.Kernels.Augmentation;
using DiGA.Core.Kernels.PseudoLabels;
using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Training.Stages;

/// <summary>
/// One DiGA self-training round: source supervision, the DACS-style cross-domain ClassMix of source classes onto augmented
/// target crops with dynamically selected pseudo-labels, symmetric distillation on the source views, and the online
/// centroid update from agreeing target and source pixels.
/// </summary>
internal sealed class SelfTrainingStage : StageTrainer
{
    private readonly SelfTrainingOptions _selfTraining;
    private readonly IBatchSource _source;
    private readonly IBatchSource _target;
    private readonly StageComponents _components;
    private readonly ClassCentroids _centroids;

    public SelfTrainingStage(
        SelfTrainingOptions selfTraining,
        string name,
        ISegmentationModel student,
        StageContext context,
        IBatchSource source,
        IBatchSource target,
        StageComponents components,
        ClassCentroids centroids)
        : base(name, selfTraining.Stage, student, useTeacher: true, context)
    {
        _selfTraining = selfTraining;
        _source = source;
        _target = target;
        _components = components;
        _centroids = centroids;
    }

    protected override void PositionData(int iteration)
    {
        _source.Seek(iteration);
        _target.Seek(iteration);
    }

    protected override void SaveExtraState(IDictionary<string, Action<Stream>> entries) =>
        entries["centroids.dat"] = stream => _centroids.Centroids.Save(stream);

    protected override void LoadExtraState(IReadOnlyDictionary<string, byte[]> entries, string path)
    {
        entries.Load(path, "centroids.dat", CheckpointEntryFormat.Tensor, stream =>
        {
            using var saved = Tensor.Load(stream);
            if (!saved.shape.SequenceEqual(_centroids.Centroids.shape))
            {
                throw new InvalidDataException($"Checkpoint '{path}': entry 'centroids.dat' holds a [{string.Join(", ", saved.shape)}] tensor, not the [{string.Join(", ", _centroids.Centroids.shape)}] centroids of this stage.");
            }

            using var noGrad = no_grad();
            _centroids.Centroids.copy_(saved);
        });
    }

    protected override StageLossTensors ComputeLosses(int iteration)
    {
        var source = _source.Next();
        var target = _target.Next();
        var xs = source.Images;
        var ys = source.Labels ?? throw new InvalidOperationException("Self-training needs labelled source batches.");
        var xt = target.Images;
        var offline = target.Labels ?? throw new InvalidOperationException("Self-training needs target batches with offline pseudo-labels.");
        var b = (int)xs.shape[0];

        Tensor sourceMix, targetAugmented;
        using (no_grad())
        {
            var sourceAugmented = _components.Photometric.Augment(new PhotometricArguments(xs, _selfTraining.Photometric, Random));
            targetAugmented = _components.Photometric.Augment(new PhotometricArguments(xt, _selfTraining.Photometric, Random));
            sourceMix = _components.Translator is null
                ? sourceAugmented
                : _components.Mixer.Mix(new CrossDomainMixArguments(sourceAugmented, ys, _components.Translator.Translate(new TranslationArguments(xs, Random)), Random)).Images;
        }

        var student = Student.Forward(cat([xs, sourceMix]));
        var studentLogits = ClassLogits.ResizeTo(student.Logits, ys);

        Tensor teacherLogits, selected, kept, mixedImages, mixedLabels;
        using (no_grad())
        {
            var teacherSource = Teacher!.Forward(cat([xs, sourceMix]));
            teacherLogits = ClassLogits.ResizeTo(teacherSource.Logits, ys);
            var teacherTarget = Teacher.Forward(xt);
            using var selection = _components.Selector.Select(new PseudoLabelArguments(offline, teacherTarget.Logits, teacherTarget.Features) { Centroids = _centroids.Centroids });
            selected = selection.Labels.alias();
            kept = selection.Kept.to(ScalarType.Float32).mean();
            var classMix = _components.Mixer.Mix(new CrossDomainMixArguments(xs, ys, targetAugmented, Random) { BackgroundLabels = selected });
            mixedImages = classMix.Images;
            mixedLabels = classMix.Labels!;

            _centroids.Update(teacherTarget.Features, teacherTarget.Logits, selected);
            _centroids.Update(teacherSource.Features[b..], teacherSource.Logits[b..], ys);
        }

        var mixedLogits = ClassLogits.ResizeTo(Student.Forward(mixedImages).Logits, mixedLabels);
        var seg = _components.Loss.Compute(studentLogits[..b], ys);
        var segMixed = _components.Loss.Compute(mixedLogits, mixedLabels);
        var kd = _components.Distiller.ComputeLoss(new DistillationArguments(studentLogits[..b], studentLogits[b..], teacherLogits[..b], teacherLogits[b..]));
        using var segmentationWeight = Scalars.Create(_selfTraining.SegmentationWeight);
        using var distillationWeight = Scalars.Create(_selfTraining.DistillationWeight);
        var total = seg.add(segMixed, Scalars.One).mul(segmentationWeight).add(kd.mul(distillationWeight), Scalars.One);
        return new StageLossTensors(total, seg) { MixedSupervised = segMixed, Distillation = kd, KeptFraction = kept };
    }
}
