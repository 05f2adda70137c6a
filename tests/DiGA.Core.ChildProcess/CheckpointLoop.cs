using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DiGA.Core.Models;
using DiGA.Core.Models.Architectures;
using DiGA.Core.Models.Checkpoints;
using DiGA.Core.Models.Compact;
using DiGA.Core.Training;
using DiGA.Core.Training.Stages;
using TorchSharp;

namespace DiGA.Core.ChildProcess;

/// <summary>
/// <c>checkpoint-loop &lt;directory&gt; [count]</c>: writes checkpoints in a tight loop, each holding the next value of a
/// counter, forever or <c>count</c> times. Per value it writes <see cref="StageFile"/> through the stages' own writer
/// (the manifest's iteration is the counter) and then <see cref="ModelFile"/> through <see cref="ModelCheckpoint.Save"/>;
/// in both, every element of the model's first parameter equals the counter. Once both files of a value are written it
/// prints <c>wrote &lt;counter&gt;</c>. It first resumes from <see cref="StageFile"/> when that exists and prints
/// <c>resumed &lt;counter&gt;</c> (0 without a checkpoint). Output is line-flushed, so a parent that kills the process
/// knows the last value completely written.
/// </summary>
internal static class CheckpointLoop
{
    /// <summary>The stage checkpoint, written as the stages write <c>last.ckpt</c>.</summary>
    public const string StageFile = "last.ckpt";

    /// <summary>The model checkpoint.</summary>
    public const string ModelFile = "model.ckpt";

    private const string StageName = "checkpointLoop";

    public static int Run(string directory, int? count)
    {
        torch.set_num_threads(1);
        using var model = CreateModel();
        var stagePath = Path.Combine(directory, StageFile);
        var modelPath = Path.Combine(directory, ModelFile);
        var counter = File.Exists(stagePath) ? Resume(stagePath, model) : 0;
        Report("resumed", counter);
        var marker = model.Module.parameters().First();
        var clock = Stopwatch.StartNew();
        for (var written = 0; count is null || written < count; written++)
        {
            counter++;
            using (torch.no_grad())
            {
                marker.fill_(counter);
            }

            WriteStage(stagePath, model, counter, clock.Elapsed.TotalSeconds);
            ModelCheckpoint.Save(model, modelPath);
            Report("wrote", counter);
        }

        return 0;
    }

    /// <summary>A compact model of about 0.9 M parameters: each checkpoint file is a few megabytes.</summary>
    private static ISegmentationModel CreateModel() => SegmentationArchitectures.Create(new SegmentationModelOptions
    {
        Architecture = CompactArchitecture.Name,
        ClassNames = ["background", "object"],
        BackboneWidth = 48,
        FeatureChannels = 96,
        Device = "cpu",
    });

    private static int Resume(string path, ISegmentationModel model)
    {
        var entries = CheckpointArchive.Read(path);
        var manifest = JsonSerializer.Deserialize<StageCheckpointManifest>(entries.Require(path, "manifest.json"))
            ?? throw new InvalidDataException($"Checkpoint '{path}' has an empty manifest.");
        using var stream = new MemoryStream(entries.Require(path, "student.dat"));
        model.Module.load(stream);
        return manifest.Iteration;
    }

    private static void WriteStage(string path, ISegmentationModel model, int counter, double elapsedSeconds)
    {
        var manifest = new StageCheckpointManifest(StageName, counter, int.MaxValue, elapsedSeconds, null, null, [], []);
        CheckpointArchive.Write(path, new Dictionary<string, Action<Stream>>(StringComparer.Ordinal)
        {
            ["manifest.json"] = stream => JsonSerializer.Serialize(stream, manifest),
            ["student.dat"] = stream => model.Module.save(stream),
            ["torch-random.dat"] = stream => torch.random.get_rng_state().Save(stream),
        });
    }

    private static void Report(string what, int counter)
    {
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{what} {counter}"));
        Console.Out.Flush();
    }
}
