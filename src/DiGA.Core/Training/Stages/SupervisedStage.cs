using DiGA.Core.Foundation;
using static TorchSharp.torch;

namespace DiGA.Core.Training.Stages;

/// <summary>
/// Plain supervised training: the source-only baseline, the target oracle (target labels) and the translated-source
/// baseline (source images rendered in target style by a translator before the loss).
/// </summary>
internal sealed class SupervisedStage : StageTrainer
{
    private readonly IBatchSource _data;
    private readonly ISegmentationLoss _loss;
    private readonly IDomainTranslator? _translator;

    public SupervisedStage(string name, StageOptions options, ISegmentationModel student, StageContext context, IBatchSource data, StageComponents components)
        : base(name, options, student, useTeacher: options.EvaluateTeacher, context)
    {
        _data = data;
        _loss = components.Loss;
        _translator = components.Translator;
    }

    protected override void PositionData(int iteration) => _data.Seek(iteration);

    protected override StageLossTensors ComputeLosses(int iteration)
    {
        var batch = _data.Next();
        var labels = batch.Labels ?? throw new InvalidOperationException($"Stage '{StageName}' needs labelled batches.");
        var images = batch.Images;
        if (_translator is not null)
        {
            using var noGrad = no_grad();
            images = _translator.Translate(new TranslationArguments(images, Random));
        }

        using var output = Student.Forward(images);
        var loss = _loss.Compute(ClassLogits.ResizeTo(output.Logits, labels), labels);
        return new StageLossTensors(loss, loss);
    }
}
