using System.Text.Json;
using DiGA.Core.Data.Imaging;
using DiGA.Core.Hosting;
using DiGA.Core.Training;
using DiGA.Sample;
using DiGA.Sample.Commands;
using Microsoft.Extensions.Configuration;
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
            var threads = TorchSharp.torch.get_num_threads();

            var exitCode = await new DemoCommand(options, settings, services, NullLogger<DemoCommand>.Instance).RunAsync(CancellationToken.None);

            exitCode.Should().Be(0);
            TorchSharp.torch.get_num_threads().Should().Be(threads, "the demo restores the intra-op thread count it shares out between its concurrent runs");
            using var metrics = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(settings.Output, "metrics.json")));
            var report = metrics.RootElement;
            report.GetProperty("command").GetString().Should().Be("demo");
            report.GetProperty("seed").GetInt32().Should().Be(0);
            report.GetProperty("settings").GetProperty("targetStyle").GetString().Should().Be("Photoreal");
            report.GetProperty("settings").GetProperty("imageSize").GetString().Should().Be("32x64");
            report.GetProperty("settings").GetProperty("threadsPerRun").GetString().Should().Be(Math.Max(1, threads / settings.ConcurrentRuns).ToString(System.Globalization.CultureInfo.InvariantCulture));
            var runs = report.GetProperty("runs");
            runs.EnumerateObject().Select(r => r.Name).Should().Equal(DemoCommand.AllRuns);
            foreach (var run in DemoCommand.AllRuns)
            {
                var entry = runs.GetProperty(run);
                var perClass = entry.GetProperty("perClass").EnumerateObject().Select(c => c.Value.GetDouble()).ToArray();
                perClass.Should().NotBeEmpty().And.OnlyContain(iou => iou >= 0 && iou <= 100, "run {0}", run);
                entry.GetProperty("mIoU").GetDouble().Should().BeApproximately(perClass.Average(), 0.02, "mIoU is the mean of the per-class IoU of run {0}", run);
                entry.GetProperty("pixelAccuracy").GetDouble().Should().BeInRange(0, 100, "run {0}", run);
                entry.TryGetProperty("mIoU13", out _).Should().BeFalse("the synthetic label space is not SYNTHIA's 16 classes");
                entry.GetProperty("seconds").GetDouble().Should().BePositive();
                var stages = entry.GetProperty("stages").EnumerateArray().ToArray();
                stages.Should().HaveCount(run.StartsWith("selfTraining", StringComparison.Ordinal) ? options.Pipeline.SelfTraining.Rounds : 1, "run {0}", run);
                foreach (var stage in stages)
                {
                    stage.GetProperty("stage").GetString().Should().StartWith(run);
                    stage.GetProperty("iterations").GetInt32().Should().Be(4);
                    stage.GetProperty("seconds").GetDouble().Should().BeGreaterThanOrEqualTo(0);
                    stage.GetProperty("bestMeanIoU").GetDouble().Should().BeInRange(0, 100);
                }

                File.Exists(Path.Combine(settings.Output, "models", run + ".ckpt")).Should().BeTrue();
                Directory.GetFiles(Path.Combine(settings.Output, "predictions", run), "*-overlay.png").Should().HaveCount(2);
            }

            report.GetProperty("timings").GetProperty("benchmark").GetDouble().Should().BeGreaterThanOrEqualTo(0);
            report.GetProperty("timings").GetProperty("total").GetDouble()
                .Should().BeGreaterThanOrEqualTo(runs.EnumerateObject().Max(r => r.Value.GetProperty("seconds").GetDouble()));
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
            evaluated.RootElement.GetProperty("command").GetString().Should().Be("evaluate");
            evaluated.RootElement.GetProperty("settings").GetProperty("checkpoint").GetString().Should().Be("selfTraining.ckpt");
            var evaluatedRun = evaluated.RootElement.GetProperty("runs").GetProperty("synthetic-target-val-photoreal");
            evaluatedRun.GetProperty("mIoU").GetDouble()
                .Should().BeApproximately(runs.GetProperty("selfTraining").GetProperty("mIoU").GetDouble(), 0.01, "the saved checkpoint reproduces the demo's evaluation");
            evaluatedRun.GetProperty("pixelAccuracy").GetDouble().Should().BeApproximately(runs.GetProperty("selfTraining").GetProperty("pixelAccuracy").GetDouble(), 0.01);
            evaluatedRun.TryGetProperty("stages", out _).Should().BeFalse("evaluate trains nothing");

            var labelling = new SampleSettings { Output = Path.Combine(root.FullName, "pseudo"), Checkpoint = checkpoint, Benchmark = TinyRun.Benchmark() };
            (await new PseudoLabelCommand(options, labelling, services).RunAsync(CancellationToken.None)).Should().Be(0);
            Directory.GetFiles(Path.Combine(labelling.Output, "pseudo-labels", "selfTraining"), "*.png").Should().HaveCount(12);
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData(0, "warmUp,selfTraining", "Sample:ConcurrentRuns must be at least 1, not 0")]
    [InlineData(2, "sourceOnly,selfTrainingFixedThreshold", "The runs selfTrainingFixedThreshold start from the warm-up: include 'warmUp' in the runs")]
    public async Task Demo_InvalidRunSettings_FailBeforeTrainingWithMessageNamingThem(int concurrentRuns, string runs, string message)
    {
        var root = TinyRun.TemporaryDirectory();
        try
        {
            using var services = Services(TinyRun.Options(Path.Combine(root.FullName, "work")));
            var options = services.GetRequiredService<IOptions<DiGAOptions>>().Value;
            var settings = new SampleSettings { Output = Path.Combine(root.FullName, "demo"), Benchmark = TinyRun.Benchmark(), ConcurrentRuns = concurrentRuns, Runs = runs.Split(',') };

            var run = () => new DemoCommand(options, settings, services, NullLogger<DemoCommand>.Instance).RunAsync(CancellationToken.None);

            (await run.Should().ThrowAsync<ArgumentException>()).WithMessage($"*{message}*");
            File.Exists(Path.Combine(settings.Output, "metrics.json")).Should().BeFalse();
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task CommandLine_MistypedOption_FailsWithExitCode2AndSuggestsTheClosestOption()
    {
        var (exitCode, output, error) = await RunAsync("demo", "--sed", "7");

        exitCode.Should().Be(2);
        error.Should().Contain("'--sed'").And.Contain("Did you mean '--seed'?");
        output.Should().BeEmpty();
    }

    [Fact]
    public async Task CommandLine_NoCommand_RunsDemoWithItsOptions()
    {
        var (exitCode, _, error) = await RunAsync("--sed", "7");

        exitCode.Should().Be(2);
        error.Should().Contain("Did you mean '--seed'?").And.Contain("DiGA.Sample demo --help");
    }

    [Theory]
    [InlineData("demo")]
    [InlineData("train")]
    [InlineData("pseudo-label")]
    [InlineData("evaluate")]
    [InlineData("predict")]
    [InlineData("synth")]
    public async Task CommandLine_SubcommandHelp_ListsItsOptionsWithDescriptions(string name)
    {
        var command = DiGA.Sample.Program.CreateRootCommand(new SampleHost([])).Subcommands.Single(c => c.Name == name);

        var (exitCode, output, error) = await RunAsync(name, "--help");

        exitCode.Should().Be(0);
        error.Should().BeEmpty();
        var help = string.Join(' ', output.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        help.Should().Contain($"DiGA.Sample {name} [options]").And.Contain("--Section:Key value");
        command.Options.Should().NotBeEmpty();
        foreach (var option in command.Options)
        {
            help.Should().Contain(option.Name).And.Contain(string.Join(' ', option.Description!.Split(' ', StringSplitOptions.RemoveEmptyEntries)));
        }
    }

    [Fact]
    public async Task CommandLine_OptionsAndConfigurationOverrides_ReachTheCommand()
    {
        var root = TinyRun.TemporaryDirectory();
        try
        {
            var output = Path.Combine(root.FullName, "demo");

            var (exitCode, _, error) = await RunAsync(
                "demo", "--out", output, "--seed", "3", "--preset", "synthetic-demo", "--height", "32", "--width", "48", "--style", "Fog",
                "--Sample:Runs:0", "sourceOnly", "--Sample:PredictionCount", "1",
                "--Sample:Benchmark:SourceCount", "4", "--Sample:Benchmark:TargetTrainCount", "4", "--Sample:Benchmark:TargetValCount=2",
                "--DiGA:Pipeline:Supervised:Iterations", "3", "--DiGA:Pipeline:Supervised:BatchSize", "2", "--DiGA:Pipeline:Data:Workers", "1");

            exitCode.Should().Be(0, error);
            using var metrics = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "metrics.json")));
            metrics.RootElement.GetProperty("seed").GetInt32().Should().Be(3);
            metrics.RootElement.GetProperty("settings").GetProperty("imageSize").GetString().Should().Be("32x48");
            metrics.RootElement.GetProperty("settings").GetProperty("targetStyle").GetString().Should().Be("Fog");
            var runs = metrics.RootElement.GetProperty("runs");
            runs.EnumerateObject().Select(r => r.Name).Should().Equal("sourceOnly");
            runs.GetProperty("sourceOnly").GetProperty("stages")[0].GetProperty("iterations").GetInt32().Should().Be(3);
            Directory.GetFiles(Path.Combine(output, "predictions", "sourceOnly"), "*-overlay.png").Should().ContainSingle();
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task TrainDomainGeneralization_RunsThePipelinesDomainGeneralizationOptions()
    {
        var root = TinyRun.TemporaryDirectory();
        try
        {
            var output = Path.Combine(root.FullName, "dg");

            var (exitCode, _, error) = await RunAsync(
                "train", "--stage", "dg", "--out", output, "--preset", "synthetic-demo", "--height", "32", "--width", "48",
                "--Sample:Benchmark:SourceCount", "4", "--Sample:Benchmark:TargetTrainCount", "4", "--Sample:Benchmark:TargetValCount", "2",
                "--DiGA:Pipeline:DomainGeneralization:Stage:Iterations", "3", "--DiGA:Pipeline:DomainGeneralization:Stage:BatchSize", "2",
                "--DiGA:Pipeline:WarmUp:Stage:Iterations", "5", "--DiGA:Pipeline:Data:Workers", "1", "--DiGA:Pipeline:Data:InferenceBatchSize", "2");

            exitCode.Should().Be(0, error);
            using var metrics = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "metrics.json")));
            var stage = metrics.RootElement.GetProperty("runs").EnumerateObject().Single().Value.GetProperty("stages").EnumerateArray().Single();
            stage.GetProperty("stage").GetString().Should().Be(WarmUpOptions.DomainGeneralization().Name);
            stage.GetProperty("iterations").GetInt32().Should().Be(3, "the run follows DiGA:Pipeline:DomainGeneralization, not the warm-up's options");
            File.Exists(Path.Combine(output, "models", "dg.ckpt")).Should().BeTrue();
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("gta5-cityscapes", 720, 1280, 1052, 1914, new[] { 1, 2 }, new[] { 2, 1 })]
    [InlineData("synthia-cityscapes", 760, 1280, 1140, 1920, new[] { 1, 3 }, new[] { 1, 2 })]
    public async Task Config_ReferencePreset_PrintsItsStreamsCentroidsAndTranslator_AndBindsBackToTheSameOptions(string preset, int lowHeight, int lowWidth, int highHeight, int highWidth, int[] warmUp, int[] selfTraining)
    {
        var options = Resolve(new Dictionary<string, string?> { ["Preset"] = preset, ["Device"] = "cpu" });
        using var writer = new StringWriter();

        (await new ConfigCommand(options).WriteAsync(writer, CancellationToken.None)).Should().Be(0);

        var json = writer.ToString();
        using var document = JsonDocument.Parse(json);
        var diga = document.RootElement.GetProperty("DiGA");
        var pipeline = diga.GetProperty("Pipeline");
        var source = pipeline.GetProperty("Data").GetProperty("SourceStreams");
        (source[0].GetProperty("PreResizeHeight").GetInt32(), source[0].GetProperty("PreResizeWidth").GetInt32(), source[1].GetProperty("PreResizeHeight").GetInt32(), source[1].GetProperty("PreResizeWidth").GetInt32())
            .Should().Be((lowHeight, lowWidth, highHeight, highWidth));
        Ints(pipeline.GetProperty("WarmUp").GetProperty("Stage").GetProperty("StreamShares")).Should().Equal(warmUp);
        Ints(pipeline.GetProperty("SelfTraining").GetProperty("Stage").GetProperty("StreamShares")).Should().Equal(selfTraining);
        Ints(pipeline.GetProperty("DomainGeneralization").GetProperty("Stage").GetProperty("StreamShares")).Should().Equal(2, 2);
        Ints(diga.GetProperty("Translator").GetProperty("Training").GetProperty("StreamShares")).Should().Equal(1, 1);
        var centroids = pipeline.GetProperty("InitialCentroids");
        (centroids.GetProperty("ResizeHeight").GetInt32(), centroids.GetProperty("ResizeWidth").GetInt32(), centroids.GetProperty("Passes").GetInt32()).Should().Be((512, 1024, 5));
        diga.GetProperty("Translator").GetProperty("Kind").GetString().Should().Be("Learned");

        // Pasted into a configuration without the preset, the printed section gives the same options back.
        var bound = Resolve(new ConfigurationBuilder().AddJsonStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json))).Build().GetSection("DiGA"));
        bound.Should().BeEquivalentTo(options);
    }

    private static DiGAOptions Resolve(Dictionary<string, string?> values) =>
        Resolve(new ConfigurationBuilder().AddInMemoryCollection(values).Build());

    private static DiGAOptions Resolve(IConfiguration configuration)
    {
        var services = new ServiceCollection();
        services.AddDiGA(configuration);
        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();
        return provider.GetRequiredService<IOptions<DiGAOptions>>().Value;
    }

    private static List<int> Ints(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetInt32())];

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await DiGA.Sample.Program.RunAsync(args, output, error);
        return (exitCode, output.ToString(), error.ToString());
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
            o.Translator = tiny.Translator;
        });
        return services.BuildServiceProvider();
    }
}
