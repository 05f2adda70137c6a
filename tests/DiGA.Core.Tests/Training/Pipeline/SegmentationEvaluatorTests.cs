using DiGA.Core.Data;
using DiGA.Core.Labels;
using DiGA.Core.Training.Pipeline;
using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Tests.Training.Pipeline;

public sealed class SegmentationEvaluatorTests
{
    // A 4×4 prediction and its ground truth (255 = ignored); class 3 occurs in neither.
    private static readonly byte[] Prediction =
    [
        0, 0, 1, 1,
        0, 0, 1, 1,
        2, 2, 2, 1,
        2, 2, 2, 2,
    ];

    private static readonly byte[] Truth =
    [
        0, 0, 1, 1,
        0, 1, 1, 1,
        2, 2, 1, 1,
        255, 2, 2, 0,
    ];

    [Fact]
    public async Task EvaluateAsync_KnownPredictionAndLabels_GivesTheHandComputedIoU()
    {
        using var model = new PixelModel(["a", "b", "c", "d"]);
        var options = PipelineTestData.Options(Path.GetTempPath());
        options.Evaluation.Scales = [1.0];
        var evaluator = new SegmentationEvaluator(options);

        var metrics = await evaluator.EvaluateAsync(model, new OneImage(Prediction, Truth));

        // Confusion matrix by hand (rows truth, columns prediction; the ignored pixel left out):
        //   truth 0: 3 → 0, 1 → 2            truth 1: 1 → 0, 5 → 1, 1 → 2            truth 2: 4 → 2
        // IoU_0 = 3 / (4 + 4 − 3) = 3/5, IoU_1 = 5 / (7 + 5 − 5) = 5/7, IoU_2 = 4 / (4 + 6 − 4) = 2/3, IoU_3 = NaN (absent).
        // Exact: the counts are integers and the same divisions in double are done on both sides.
        metrics.IntersectionOverUnion.Take(3).Should().Equal(3.0 / 5, 5.0 / 7, 4.0 / 6);
        double.IsNaN(metrics.IntersectionOverUnion[3]).Should().BeTrue();
        metrics.MeanIntersectionOverUnion.Should().BeApproximately(((3.0 / 5) + (5.0 / 7) + (2.0 / 3)) / 3, 1e-12);
        metrics.PixelAccuracy.Should().Be(12.0 / 15);
        metrics.PixelCount.Should().Be(15);
        model.Module.training.Should().BeFalse("the evaluator puts the model in eval mode");
    }

    [Fact]
    public async Task EvaluateAsync_UnlabelledData_ThrowsNamingTheArgument()
    {
        using var model = new PixelModel(["a", "b", "c", "d"]);
        var evaluator = new SegmentationEvaluator(PipelineTestData.Options(Path.GetTempPath()));

        await FluentActions.Awaiting(() => evaluator.EvaluateAsync(model, new OneImage(Prediction, Truth).WithoutLabels()))
            .Should().ThrowAsync<ArgumentException>().WithParameterName("data");
    }

    /// <summary>A dataset of one 4×4 image whose red channel holds the class the <see cref="PixelModel"/> will predict.</summary>
    private sealed class OneImage(byte[] prediction, byte[] truth) : ISegmentationDataset
    {
        public string Name => "one-image";

        public int Count => 1;

        public LabelSpace LabelSpace => LabelSpace.Cityscapes19;

        public bool HasLabels => true;

        public IReadOnlyList<SkippedSample> SkippedSamples => [];

        public SegmentationSample Load(int index)
        {
            var pixels = new byte[prediction.Length * 3];
            for (var p = 0; p < prediction.Length; p++)
            {
                pixels[3 * p] = prediction[p];
            }

            return new SegmentationSample("image0", 4, 4, pixels, [.. truth]);
        }

        public string DescribeSample(int index) => "one-image[0]";
    }

    /// <summary>A model with known output: the logits are the one-hot encoding of the input's red channel (identity normalisation).</summary>
    private sealed class PixelModel(string[] classNames) : ISegmentationModel
    {
        private readonly nn.Module<Tensor, Tensor> _module = nn.Identity();

        public SegmentationModelInfo Info { get; } = new("pixel", classNames, 1, 1, new ImageNormalization(ChannelOrder.Rgb, [0f, 0f, 0f], [1f, 1f, 1f]));

        public Device Device => CPU;

        public nn.Module Module => _module;

        public SegmentationOutput Forward(Tensor images)
        {
            using var scope = NewDisposeScope();
            var classes = images[.., 0].round().to(ScalarType.Int64);
            var logits = nn.functional.one_hot(classes, Info.ClassCount).permute(0, 3, 1, 2).to(ScalarType.Float32);
            var features = zeros([images.shape[0], 1, images.shape[2], images.shape[3]]);
            return new SegmentationOutput(logits.MoveToOuterDisposeScope(), features.MoveToOuterDisposeScope());
        }

        public ISegmentationModel Clone() => throw new NotSupportedException();

        public IReadOnlyList<ModelParameterGroup> GetParameterGroups() => [];

        public void Dispose() => _module.Dispose();
    }
}
