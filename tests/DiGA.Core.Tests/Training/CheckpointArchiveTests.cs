using System.IO.Compression;
using System.Text.Json;
using DiGA.Core.Data.Imaging;
using DiGA.Core.Training.Stages;
using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Tests.Training;

/// <summary>Stage checkpoints (<c>.ckpt</c> zip archives) that are truncated, corrupted or of another kind fail with an <see cref="InvalidDataException"/> naming the file.</summary>
public sealed class CheckpointArchiveTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("diga-ckpt-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string WriteCheckpoint(string name = "last.ckpt")
    {
        var path = Path.Combine(_directory, name);
        using var module = nn.Linear(3, 2);
        using var generator = new Generator(7);
        using var state = generator.get_state();
        CheckpointArchive.Write(path, new Dictionary<string, Action<Stream>>
        {
            ["manifest.json"] = stream => JsonSerializer.Serialize(stream, new Dictionary<string, int> { ["iteration"] = 3 }),
            ["student.dat"] = stream => module.save(stream),
            ["random.dat"] = stream => state.Save(stream),
        });
        return path;
    }

    /// <summary>Reads every entry the way a stage does; returns normally when the checkpoint loads.</summary>
    private static void LoadAll(string path)
    {
        var entries = CheckpointArchive.Read(path);
        entries.Load(path, "manifest.json", CheckpointEntryFormat.Other, stream => JsonSerializer.Deserialize<Dictionary<string, int>>(stream));
        using var module = nn.Linear(3, 2);
        entries.Load(path, "student.dat", CheckpointEntryFormat.ModuleState, stream => module.load(stream));
        using var generator = new Generator(1);
        entries.Load(path, "random.dat", CheckpointEntryFormat.Tensor, stream =>
        {
            using var state = Tensor.Load(stream);
            CheckpointArchive.CheckGeneratorState(state, path, "random.dat");
            generator.set_state(state);
        });
    }

    [Fact]
    public void Load_IntactCheckpoint_RestoresEveryEntry()
    {
        LoadAll(WriteCheckpoint());
        using var generator = new Generator(1);
        using var state = generator.get_state();
        state.numel().Should().Be(5056, "the layout CheckGeneratorState assumes");
        using var defaultState = torch.random.get_rng_state();
        defaultState.numel().Should().Be(5056);
    }

    [Fact]
    public void CheckGeneratorState_CorruptState_ThrowsInsteadOfAbortingTheProcess()
    {
        using var generator = new Generator(1);
        using var state = generator.get_state();
        var bytes = state.bytes.ToArray();
        bytes[8] = 0;
        bytes[9] = 0;
        bytes[10] = 0;
        bytes[11] = 0;
        using var corrupt = tensor(bytes);
        FluentActions.Invoking(() => CheckpointArchive.CheckGeneratorState(corrupt, "x.ckpt", "random.dat")).Should().Throw<InvalidDataException>()
            .WithMessage("Checkpoint 'x.ckpt': entry 'random.dat' is corrupt (it holds an invalid Mersenne Twister state).");
        using var floats = ones(5056);
        FluentActions.Invoking(() => CheckpointArchive.CheckGeneratorState(floats, "x.ckpt", "random.dat")).Should().Throw<InvalidDataException>().WithMessage("*not the 5056 bytes of a generator state*");
        CheckpointArchive.CheckGeneratorState(state, "x.ckpt", "random.dat");
    }

    [Fact]
    public void Read_PngRenamedOrMissing_ThrowsNamingTheFile()
    {
        var path = Path.Combine(_directory, "image.ckpt");
        ImageFile.WriteRgb(path + ".png", new RgbImage(4, 4, new byte[48]));
        File.Move(path + ".png", path);
        FluentActions.Invoking(() => CheckpointArchive.Read(path)).Should().Throw<InvalidDataException>().WithMessage($"Checkpoint '{path}' is corrupt or not a DiGA.Core checkpoint: *");
        FluentActions.Invoking(() => CheckpointArchive.Read(path + ".absent")).Should().Throw<FileNotFoundException>();
    }

    [Fact]
    public void Load_ZipThatIsNotACheckpoint_SaysWhichEntryIsMissing()
    {
        var path = Path.Combine(_directory, "other.ckpt");
        using (var archive = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            using var entry = archive.CreateEntry("readme.txt").Open();
            entry.Write("hello"u8);
        }

        FluentActions.Invoking(() => LoadAll(path)).Should().Throw<InvalidDataException>().WithMessage($"Checkpoint '{path}' has no 'manifest.json' entry.");
    }

    [Fact]
    public void Load_TensorEntryWithHugeShape_ThrowsWithoutAllocating()
    {
        var path = Path.Combine(_directory, "shape.ckpt");
        // dtype Float32 (6), rank 2, dimensions 2^40 and 2^40 (LEB128), then 4 bytes of data.
        byte[] tensor = [6, 2, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20, 1, 2, 3, 4];
        CheckpointArchive.Write(path, new Dictionary<string, Action<Stream>> { ["random.dat"] = stream => stream.Write(tensor) });
        var entries = CheckpointArchive.Read(path);
        var before = GC.GetAllocatedBytesForCurrentThread();
        FluentActions.Invoking(() => entries.Load(path, "random.dat", CheckpointEntryFormat.Tensor, stream => Tensor.Load(stream).Dispose()))
            .Should().Throw<InvalidDataException>().WithMessage($"Checkpoint '{path}': entry 'random.dat' is corrupt (tensor 0 claims more bytes but 4 remain).");
        (GC.GetAllocatedBytesForCurrentThread() - before).Should().BeLessThan(1 << 20);

        byte[] rank = [6, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F];
        CheckpointArchive.Write(path, new Dictionary<string, Action<Stream>> { ["random.dat"] = stream => stream.Write(rank) });
        FluentActions.Invoking(() => CheckpointArchive.Read(path).Load(path, "random.dat", CheckpointEntryFormat.Tensor, stream => Tensor.Load(stream).Dispose()))
            .Should().Throw<InvalidDataException>().WithMessage($"Checkpoint '{path}': entry 'random.dat' is corrupt (tensor 0 has rank 4294967295).");
    }

    [Fact]
    public void Load_UnreadableManifest_ThrowsNamingFileAndEntry()
    {
        var path = Path.Combine(_directory, "manifest.ckpt");
        CheckpointArchive.Write(path, new Dictionary<string, Action<Stream>> { ["manifest.json"] = stream => stream.Write("{\"iteration\": "u8) });
        FluentActions.Invoking(() => CheckpointArchive.Read(path).Load(path, "manifest.json", CheckpointEntryFormat.Other, stream => JsonSerializer.Deserialize<Dictionary<string, int>>(stream)))
            .Should().Throw<InvalidDataException>().WithMessage($"Checkpoint '{path}': entry 'manifest.json' is corrupt or does not match this model (JsonException: *");
    }

    [Fact]
    public void Load_MutatedCheckpoints_LoadOrThrowNamingTheFile()
    {
        var original = File.ReadAllBytes(WriteCheckpoint("original.ckpt"));
        var path = Path.Combine(_directory, "mutated.ckpt");
        var random = new Random(3);
        var loaded = 0;
        for (var i = 0; i < 300; i++)
        {
            var bytes = (byte[])original.Clone();
            if (i % 4 == 0)
            {
                bytes = bytes[..random.Next(bytes.Length)];
            }
            else
            {
                for (var flips = random.Next(1, 4); flips > 0; flips--)
                {
                    bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                }
            }

            File.WriteAllBytes(path, bytes);
            try
            {
                LoadAll(path);
                loaded++;
            }
            catch (InvalidDataException ex)
            {
                ex.Message.Should().Contain(path, "case {0}", i);
            }
        }

        loaded.Should().BeLessThan(300);
    }
}
