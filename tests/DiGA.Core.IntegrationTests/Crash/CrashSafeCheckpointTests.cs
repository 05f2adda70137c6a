using System.Globalization;
using System.Text.Json;
using DiGA.Core.Foundation;
using DiGA.Core.Models.Checkpoints;
using DiGA.Core.Training;
using DiGA.Core.Training.Stages;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace DiGA.Core.IntegrationTests.Crash;

/// <summary>
/// Checkpoints survive SIGKILL at any moment. The child process's <c>checkpoint-loop</c> writes a stage checkpoint (the
/// stages' writer) and a model checkpoint (<see cref="ModelCheckpoint"/>) in a tight loop, each holding a counter, and is
/// killed at seeded random moments, then restarted from the surviving stage checkpoint. After every kill both files load
/// through the library's readers and hold the last counter the child reported as written or the one it was writing,
/// never a torn file; each target has at most one leftover temporary sibling, and the next write of a target deletes it.
/// </summary>
[Collection(SequentialTraining.Name)]
public class CrashSafeCheckpointTests(ITestOutputHelper output)
{
    // As in tests/DiGA.Core.ChildProcess/CheckpointLoop.cs.
    private const string StageFile = "last.ckpt";
    private const string ModelFile = "model.ckpt";

    private const int Kills = 24;
    private const int Seed = 20260;

    // A write of both files takes about 0.1 s on a CPU runner: kills land anywhere from before the first write to the
    // middle of the fifth, most of them during a write.
    private const int MaxDelayMilliseconds = 450;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public void CheckpointLoop_KilledAtRandomMoments_LeavesTheLastOrTheNextCheckpointNeverATornOne()
    {
        var root = TinyRun.TemporaryDirectory();
        try
        {
            var directory = root.FullName;
            var counter = RunToCompletion(directory, from: 0, count: 1);
            var modelCounter = counter;
            var random = new Random(Seed);
            int duringWrite = 0, stageAhead = 0, bothAhead = 0, writesCompleted = 0;
            for (var kill = 1; kill <= Kills; kill++)
            {
                var leftoversBefore = TemporaryFiles(directory);
                var delay = random.Next(MaxDelayMilliseconds);
                int reported;
                using (var child = ChildProcess.Start("checkpoint-loop", directory))
                {
                    child.WaitForLine("resumed ", StartTimeout).Should().Be(Line("resumed", counter), "the child resumes from the stage checkpoint on disk");
                    Thread.Sleep(delay);
                    child.Kill();
                    var written = Written(child.Lines);
                    written.Should().Equal(Enumerable.Range(counter + 1, written.Count), "the child writes consecutive values");
                    reported = written.Count > 0 ? written[^1] : counter;
                    writesCompleted += written.Count;
                }

                // Without a report in this run the model file may still lag one value behind the stage file it resumed from.
                var modelReported = reported > counter ? reported : modelCounter;
                var (stage, model) = ReadCheckpoints(directory);
                var because = $"kill {kill} after {delay} ms came after the child reported {reported}";
                stage.Should().BeOneOf([reported, reported + 1], because);
                model.Should().BeOneOf([modelReported, reported + 1], because).And.BeLessThanOrEqualTo(stage, "the model checkpoint of a value is written after its stage checkpoint");

                var leftovers = TemporaryFiles(directory);
                leftovers.Should().OnlyHaveUniqueItems(name => TargetOf(name), "each target has at most its one write in flight ({0})", because);
                if (reported > counter)
                {
                    leftovers.Intersect(leftoversBefore).Should().BeEmpty("a completed write of a target deletes the leftovers of earlier kills ({0})", because);
                }

                duringWrite += leftovers.Except(leftoversBefore).Any() ? 1 : 0;
                stageAhead += stage > reported && model <= reported ? 1 : 0;
                bothAhead += model > reported ? 1 : 0;
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"kill {kill,2}: after {delay,3} ms, reported {reported,3}, on disk stage {stage,3} model {model,3}, temporary files {leftovers.Count}"));
                counter = stage;
                modelCounter = model;
            }

            counter = RunToCompletion(directory, from: counter, count: 2);
            TemporaryFiles(directory).Should().BeEmpty("a completed write of each target deletes the leftovers of killed writers");
            output.WriteLine($"{Kills} kills: {duringWrite} during a write (a new temporary file was left); {stageAhead} with the stage file and {bothAhead} with both files one value ahead of the last report; {writesCompleted} values written between kills; final counter {counter}.");
            duringWrite.Should().BePositive("the delays are chosen so that kills land mid-write");
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    // Runs checkpoint-loop for `count` values to its end and checks what it wrote; returns the final counter.
    private static int RunToCompletion(string directory, int from, int count)
    {
        using var child = ChildProcess.Start("checkpoint-loop", directory, count.ToString(CultureInfo.InvariantCulture));
        child.WaitForExit(StartTimeout).Should().Be(0, child.StandardError);
        child.Lines[0].Should().Be(Line("resumed", from));
        Written(child.Lines).Should().Equal(Enumerable.Range(from + 1, count));
        ReadCheckpoints(directory).Should().Be((from + count, from + count));
        return from + count;
    }

    // Loads both checkpoints through the library's readers (the stage one as a stage resumes: archive, manifest,
    // student weights); returns the counter each holds. Throws on a torn or inconsistent file.
    private static (int Stage, int Model) ReadCheckpoints(string directory)
    {
        Directory.GetFiles(directory).Select(Path.GetFileName)
            .Should().OnlyContain(name => name == StageFile || name == ModelFile || TargetOf(name!) != null, "the directory holds the two checkpoints and their temporary siblings only");
        using var model = ModelCheckpoint.Load(Path.Combine(directory, ModelFile), "cpu");
        var modelCounter = Marker(model);

        var path = Path.Combine(directory, StageFile);
        var entries = CheckpointArchive.Read(path);
        var manifest = JsonSerializer.Deserialize<StageCheckpointManifest>(entries.Require(path, "manifest.json"))!;
        using (var stream = new MemoryStream(entries.Require(path, "student.dat")))
        {
            model.Module.load(stream);
        }

        Marker(model).Should().Be(manifest.Iteration, "the stage checkpoint's weights belong to its manifest");
        return (manifest.Iteration, modelCounter);
    }

    // Every element of the model's first parameter holds the counter.
    private static int Marker(ISegmentationModel model)
    {
        using var scope = NewDisposeScope();
        var marker = model.Module.parameters().First();
        var low = marker.min().item<float>();
        marker.max().item<float>().Should().Be(low, "the marker parameter is written whole");
        return (int)low;
    }

    private static List<int> Written(IEnumerable<string> lines) =>
        [.. lines.Where(l => l.StartsWith("wrote ", StringComparison.Ordinal)).Select(l => int.Parse(l["wrote ".Length..], CultureInfo.InvariantCulture))];

    private static string Line(string what, int counter) => string.Create(CultureInfo.InvariantCulture, $"{what} {counter}");

    private static List<string> TemporaryFiles(string directory) =>
        [.. Directory.GetFiles(directory).Select(f => Path.GetFileName(f)).Where(name => TargetOf(name) is not null)];

    private static string? TargetOf(string fileName) =>
        AtomicFile.IsTemporaryOf(fileName, StageFile) ? StageFile : AtomicFile.IsTemporaryOf(fileName, ModelFile) ? ModelFile : null;
}
