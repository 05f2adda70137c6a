using DiGA.Core.Foundation;
using DiGA.Core.Kernels.Augmentation;
using static TorchSharp.torch;

namespace DiGA.Core.Training.Stages;

/// <summary>
/// The DiGA warm-up: supervised loss on the source view plus symmetric distillation between the student and its EMA teacher
/// over the source view and a second view — the cross-domain mixture (ClassMix of the photometric view and the translated
/// view) or, without a translator, the photometric view alone (the SymKD-only and domain-generalisation variants).
/// </summary>
internal sealed class WarmUpStage : StageTrainer
{
    private readonly WarmUpOptions _warmUp;
    private readonly IBatchSource _source;
    private readonly IBatchSource? _target;
    private readonly ISegmentationLoss _loss;
    private readonly ISymmetricDistiller _distiller;
    private readonly ICrossDomainMixer _mixer;
    private readonly IPhotometricAugmenter _photometric;
    private readonly IDomainTranslator? _translator;

    public WarmUpStage(
        WarmUpOptions warmUp,
        ISegmentationModel student,
        StageContext context,
        IBatchSource source,
        IBatchSource? target,
        StageComponents components)
        : base(warmUp.Name, warmUp.Stage, student, useTeacher: true, context)
    {
        _warmUp = warmUp;
        _source = source;
        _target = target;
        _loss = components.Loss;
        _distiller = components.Distiller;
        _mixer = components.Mixer;
        _photometric = components.Photometric;
        _translator = warmUp.UseCrossDomainMix ? components.Translator ?? throw new ArgumentException("The cross-domain mixture needs a translator.", nameof(components)) : null;
    }

    protected override void PositionData(int iteration)
    {
        _source.Seek(iteration);
        _target?.Seek(iteration);
    }

    protected override StageLossTensors ComputeLosses(int iteration)
    {
        var batch = _source.Next();
        var x = batch.Images;
        var y = batch.Labels ?? throw new InvalidOperationException("The warm-up needs labelled source batches.");
        var b = x.shape[0];
        var second = SecondView(x, y);

        var studentLogits = ClassLogits.ResizeTo(Student.Forward(cat([x, second])).Logits, y);
        if (_target is not null)
        {
            using var noGrad = no_grad();
            Student.Forward(_target.Next().Images).Dispose();
        }

        Tensor teacherLogits;
        using (no_grad())
        {
            teacherLogits = ClassLogits.ResizeTo(Teacher!.Forward(cat([x, second])).Logits, y);
        }

        var seg = _loss.Compute(studentLogits[..(int)b], y);
        var kd = _distiller.ComputeLoss(new DistillationArguments(studentLogits[..(int)b], studentLogits[(int)b..], teacherLogits[..(int)b], teacherLogits[(int)b..]));
        using var segmentationWeight = Scalars.Create(_warmUp.SegmentationWeight);
        using var distillationWeight = Scalars.Create(_warmUp.DistillationWeight);
        var total = seg.mul(segmentationWeight).add(kd.mul(distillationWeight), Scalars.One);
        return new StageLossTensors(total, seg) { Distillation = kd };
    }

    private Tensor SecondView(Tensor x, Tensor y)
    {
        using var noGrad = no_grad();
        var augmented = _photometric.Augment(new PhotometricArguments(x, _warmUp.Photometric, Random));
        if (_translator is null)
        {
            return augmented;
        }

        var translated = _translator.Translate(new TranslationArguments(x, Random));
        return _mixer.Mix(new CrossDomainMixArguments(augmented, y, translated, Random)).Images;
    }
}
