using DiGA.Core.Data.Imaging;
using DiGA.Core.Labels;
using DiGA.Core.Models.Inference;
using DiGA.Core.Tests.Data;
using DiGA.Core.Training.Pipeline;
using static TorchSharp.torch;

namespace DiGA.Core.Tests.Training.Pipeline;

public sealed class PseudoLabelWriterTests : IDisposable
{
    private readonly TempDirectory _work = new();

    public void Dispose() => _work.Dispose();

    [Fact]
    public async Task WriteAsync_WritesOnePngPerTargetImage_HoldingThePredictorsArgmax()
    {
        using var model = PipelineTestData.Model();
        var target = PipelineTestData.Scenes().TargetTrain;
        var options = PipelineTestData.Options(_work.Path);
        options.PseudoLabels.Scales = [1.0, 0.5];
        var writer = new PseudoLabelWriter(options);

        var labelled = await writer.WriteAsync(model, target, "round1");

        var directory = Path.Combine(_work.Path, "pseudo-labels", "round1");
        var files = Directory.GetFiles(directory, "*.png").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        var ids = Enumerable.Range(0, target.Count).Select(i => target.Load(i).Id + ".png").Order(StringComparer.Ordinal).ToArray();
        files.Should().Equal(ids, "one label PNG per target image, named after its sample id");
        File.Exists(Path.Combine(directory, ".complete")).Should().BeTrue();
        labelled.HasLabels.Should().BeTrue();
        labelled.Count.Should().Be(target.Count);

        var predictor = new SegmentationPredictor(model, new SegmentationPredictorOptions { Scales = [1.0, 0.5] });
        var classes = new HashSet<int>();
        for (var i = 0; i < target.Count; i++)
        {
            var sample = target.Load(i);
            var written = ImageFile.ReadLabel(Path.Combine(directory, sample.Id + ".png"));
            written.Width.Should().Be(sample.Width);
            written.Height.Should().Be(sample.Height);
            written.Values.Should().OnlyContain(v => v < model.Info.ClassCount || v == LabelSpace.IgnoreIndex);

            using var scope = NewDisposeScope();
            using var input = PipelineTestData.Input(target, i, model);
            var expected = predictor.PredictLabels(input)[0].flatten().data<long>().ToArray();
            // Exact: with one image per inference batch the writer runs the same predictor calls on the same normalised
            // pixels (the loader normalises exactly like ImageNormalization.Normalize), and an argmax of equal logits is equal.
            written.Values.Select(v => (long)v).Should().Equal(expected, "pseudo-label of {0}", sample.Id);
            labelled.Load(i).Label!.Select(v => (long)v).Should().Equal(expected, "the returned dataset pairs the image with its file");
            classes.UnionWith(expected.Select(v => (int)v));
        }

        classes.Count.Should().BeGreaterThan(1, "the untrained model still predicts several classes, so the comparison is not of constants");
    }

    [Fact]
    public async Task WriteAsync_CompleteFolder_IsReusedWithoutPredicting()
    {
        using var model = PipelineTestData.Model();
        var target = PipelineTestData.Scenes().TargetTrain;
        var writer = new PseudoLabelWriter(PipelineTestData.Options(_work.Path));
        await writer.WriteAsync(model, target, "round1");
        var directory = Path.Combine(_work.Path, "pseudo-labels", "round1");
        var first = Path.Combine(directory, target.Load(0).Id + ".png");
        var stamp = new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(first, stamp);

        using var other = PipelineTestData.Model(seed: 99);
        var again = await writer.WriteAsync(other, target, "round1");

        File.GetLastWriteTimeUtc(first).Should().Be(stamp, "a complete folder is not rewritten");
        again.Count.Should().Be(target.Count);
    }
}
