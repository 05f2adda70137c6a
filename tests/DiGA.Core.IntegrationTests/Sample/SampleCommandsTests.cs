using System.Text.Json;
using DiGA.Core.Data.Imaging;
using DiGA.Core.Hosting;
using DiGA.Sample;
using DiGA.Sample.Commands;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DiGA.Core.IntegrationTests.Sample;

/// <summary>Runs every stage of the sample end to end on a tiny configuration and checks what it writes.</summary>
[Collection(SequentialTraining.Name)]
public class SampleCommandsTests
{
    [Fact]
    public async Task Demo_TinyConfiguration_WritesMetricsPlotsPredictionsAndModels_ThenPredictEvaluateAndPseudoLabelUseThem()
    {
        var root = TinyRun.TemporaryDirectory();
        try
        {
            using var services = Services(TinyRun.Options(Path.Combine(root.FullName, "work")));
            var options = services.GetRequiredService<IOptions<DiGAOptions>>().Value;
            var settings = new SampleSettings { Output = Path.Combine(root.FullName, "demo"), Benchmark = TinyRun.Benchmark(), PredictionCount = 2 };

            var exitCode = await new DemoCommand(options, settings, services, NullLogger<DemoCommand>.Instance).RunAsync(CancellationToken.None);

            exitCode.Should().Be(0);
            using var metrics = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(settings.Output, "metrics.json")));
            metrics.RootElement.GetProperty("seed").GetInt32().Should().Be(0);
            foreach (var run in DemoCommand.AllRuns)
            {
                var entry = metrics.RootElement.GetProperty(run);
                entry.GetProperty("mIoU").GetDouble().Should().BeInRange(0, 100, "run {0}", run);
                entry.GetProperty("perClass").EnumerateObject().Should().NotBeEmpty();
                metrics.RootElement.GetProperty("timings").GetProperty(run).GetDouble().Should().BePositive();
                File.Exists(Path.Combine(settings.Output, "models", run + ".ckpt")).Should().BeTrue();
                Directory.GetFiles(Path.Combine(settings.Output, "predictions", run), "*-overlay.png").Should().HaveCount(2);
            }

            File.Exists(Path.Combine(settings.Output, "plots", "warmUp-loss.png")).Should().BeTrue();
            File.Exists(Path.Combine(settings.Output, "plots", "selfTraining1-loss.png")).Should().BeTrue();
            Directory.GetFiles(Path.Combine(settings.Output, "work", "pseudo-labels", "selfTraining1"), "*.png").Should().HaveCount(12);

            // predict: a "real-world" image of an odd size the model never saw.
            var photo = Path.Combine(root.FullName, "photo.png");
            var pixels = new byte[45 * 70 * 3];
            new Random(1).NextBytes(pixels);
            ImageFile.WriteRgb(photo, new RgbImage(70, 45, pixels));
            var checkpoint = Path.Combine(settings.Output, "models", "selfTraining.ckpt");
            var predictions = new SampleSettings { Output = Path.Combine(root.FullName, "predict"), Checkpoint = checkpoint, Input = photo, Benchmark = TinyRun.Benchmark() };
            (await new PredictCommand(options, predictions).RunAsync(CancellationToken.None)).Should().Be(0);
            var colourised = ImageFile.ReadRgb(Path.Combine(predictions.Output, "photo-labels.png"));
            (colourised.Width, colourised.Height).Should().Be((70, 45));
            File.Exists(Path.Combine(predictions.Output, "photo-overlay.png")).Should().BeTrue();

            var evaluation = new SampleSettings { Output = Path.Combine(root.FullName, "evaluate"), Checkpoint = checkpoint, Benchmark = TinyRun.Benchmark() };
            (await new EvaluateCommand(options, evaluation, services).RunAsync(CancellationToken.None)).Should().Be(0);
            using var evaluated = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(evaluation.Output, "metrics.json")));
            evaluated.RootElement.GetProperty("evaluation").GetProperty("mIoU").GetDouble()
                .Should().BeApproximately(metrics.RootElement.GetProperty("selfTraining").GetProperty("mIoU").GetDouble(), 0.01, "the saved checkpoint reproduces the demo's evaluation");

            var labelling = new SampleSettings { Output = Path.Combine(root.FullName, "pseudo"), Checkpoint = checkpoint, Benchmark = TinyRun.Benchmark() };
            (await new PseudoLabelCommand(options, labelling, services).RunAsync(CancellationToken.None)).Should().Be(0);
            Directory.GetFiles(Path.Combine(labelling.Output, "pseudo-labels", "selfTraining"), "*.png").Should().HaveCount(12);
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    // As the sample's host does: the commands and the container's pipeline share one options instance.
    private static ServiceProvider Services(DiGAOptions tiny)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDiGA(o =>
        {
            o.Device = tiny.Device;
            o.Model = tiny.Model;
            o.Pipeline = tiny.Pipeline;
        });
        return services.BuildServiceProvider();
    }
}
