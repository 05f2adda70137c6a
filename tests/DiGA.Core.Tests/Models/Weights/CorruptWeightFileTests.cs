using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using DiGA.Core.Data.Imaging;
using DiGA.Core.Models.Checkpoints;
using DiGA.Core.Models.Compact;
using DiGA.Core.Models.DeepLab;
using DiGA.Core.Models.Weights;
using DiGA.Core.Tests.Models.DeepLab;
using DiGA.Core.Translation;
using static TorchSharp.torch;

namespace DiGA.Core.Tests.Models.Weights;

/// <summary>Truncated, corrupted and mislabelled weight files fail with an <see cref="InvalidDataException"/> naming the file.</summary>
public sealed class CorruptWeightFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("diga-corrupt-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string SmallSafetensors(string name = "small.safetensors")
    {
        var path = Path.Combine(_directory, name);
        using var scope = NewDisposeScope();
        using var stream = File.Create(path);
        SafetensorsFile.Write(stream, new Dictionary<string, Tensor> { ["a"] = arange(12f).reshape(3, 4), ["b"] = ones(5, dtype: ScalarType.Int64) }, new Dictionary<string, string> { ["k"] = "v" });
        return path;
    }

    private string WithHeader(string json, int dataBytes, string name = "crafted.safetensors")
    {
        var path = Path.Combine(_directory, name);
        var header = Encoding.UTF8.GetBytes(json);
        var bytes = new byte[8 + header.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void Safetensors_PngRenamed_ThrowsNamingTheFile()
    {
        var path = Path.Combine(_directory, "image.safetensors");
        ImageFile.WriteRgb(path + ".png", new RgbImage(4, 4, new byte[48]));
        File.Move(path + ".png", path);
        FluentActions.Invoking(() => WeightImporter.ReadStateDict(path)).Should().Throw<InvalidDataException>()
            .WithMessage($"'{path}' is not a safetensors file (header length * for a file of * bytes).");
        FluentActions.Invoking(() => ModelCheckpoint.Load(path)).Should().Throw<InvalidDataException>().WithMessage($"*{path}*");
        FluentActions.Invoking(() => ColorStatisticsBank.Load(path)).Should().Throw<InvalidDataException>().WithMessage($"'{path}' is not a colour statistics file*header length*");
        FluentActions.Invoking(() => AmplitudeSpectrumBank.Load(path)).Should().Throw<InvalidDataException>().WithMessage($"'{path}' is not an amplitude spectrum file*");
    }

    [Fact]
    public void Safetensors_GiantHeaderLength_ThrowsWithoutAllocating()
    {
        var path = Path.Combine(_directory, "giant.safetensors");
        var bytes = new byte[64];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, ulong.MaxValue - 7);
        File.WriteAllBytes(path, bytes);
        var before = GC.GetAllocatedBytesForCurrentThread();
        FluentActions.Invoking(() => WeightImporter.ReadStateDict(path)).Should().Throw<InvalidDataException>().WithMessage($"'{path}' is not a safetensors file (header length 18446744073709551608*");
        FluentActions.Invoking(() => ColorStatisticsBank.Load(path)).Should().Throw<InvalidDataException>().WithMessage($"'{path}' is not a colour statistics file*");
        (GC.GetAllocatedBytesForCurrentThread() - before).Should().BeLessThan(1 << 20);
    }

    [Theory]
    [InlineData("""{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}""", 8, "do not match each other or the 8 data bytes")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1000000000000,1000000000000],"data_offsets":[0,16]}}""", 16, "shape [1000000000000, 1000000000000]")]
    [InlineData("""{"a":{"dtype":"F32","shape":[-4],"data_offsets":[0,16]}}""", 16, "shape [-4]")]
    [InlineData("""{"a":{"dtype":"F32","shape":[4],"data_offsets":[-16,0]}}""", 16, "data offsets [-16, 0]")]
    [InlineData("""{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"b":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}""", 16, "the tensors claim 32 or more data bytes, but the file has 16")]
    [InlineData("""{"a":{"dtype":"Q4","shape":[4],"data_offsets":[0,16]}}""", 16, "unsupported safetensors dtype 'Q4'")]
    [InlineData("""{"a":{"dtype":"F32","shape":"4","data_offsets":[0,16]}}""", 16, "bad JSON header")]
    [InlineData("""{"a":{"dtype":"F32","data_offsets":[0,16]}}""", 16, "bad JSON header")]
    [InlineData("""{"a":{"dtype":"F32","shape":[4.5],"data_offsets":[0,16]}}""", 16, "bad JSON header")]
    [InlineData("""{"__metadata__":[1,2]}""", 0, "bad JSON header")]
    [InlineData("""[1, 2, 3]""", 0, "header is not a JSON object")]
    [InlineData("""{"a":{"dtype":"F32","shape":[4],"data_off""", 16, "bad JSON header")]
    public void Safetensors_InconsistentHeader_SaysWhatIsWrong(string json, int dataBytes, string reason)
    {
        var path = WithHeader(json, dataBytes);
        var before = GC.GetAllocatedBytesForCurrentThread();
        FluentActions.Invoking(() => WeightImporter.ReadStateDict(path)).Should().Throw<InvalidDataException>().WithMessage($"*'{path}'*{reason}*");
        FluentActions.Invoking(() => ModelCheckpoint.ReadInfo(path)).Should().Throw<InvalidDataException>().WithMessage($"*'{path}'*");
        (GC.GetAllocatedBytesForCurrentThread() - before).Should().BeLessThan(1 << 20);
    }

    [Fact]
    public void Safetensors_MutatedFiles_LoadOrThrowNamingTheFile()
    {
        var original = File.ReadAllBytes(SmallSafetensors());
        var path = Path.Combine(_directory, "mutated.safetensors");
        var random = new Random(11);
        var loaded = 0;
        for (var i = 0; i < 400; i++)
        {
            var bytes = (byte[])original.Clone();
            if (i % 3 == 0)
            {
                bytes = bytes[..random.Next(bytes.Length)];
            }
            else
            {
                for (var flips = random.Next(1, 4); flips > 0; flips--)
                {
                    bytes[random.Next(Math.Min(bytes.Length, i % 3 == 1 ? 8 + 200 : bytes.Length))] ^= (byte)(1 << random.Next(8));
                }
            }

            File.WriteAllBytes(path, bytes);
            try
            {
                using var scope = NewDisposeScope();
                WeightImporter.ReadStateDict(path);
                loaded++;
            }
            catch (InvalidDataException ex)
            {
                ex.Message.Should().Contain(path, "case {0}", i);
            }
        }

        loaded.Should().BeLessThan(400);
    }

    [Fact]
    public void Pth_TruncatedCorruptedOrForeignZip_ThrowsNamingTheFile()
    {
        var original = File.ReadAllBytes(DeepLabV2Tests.StateDictPath);
        var path = Path.Combine(_directory, "weights.pth");
        File.WriteAllBytes(path, original[..(original.Length / 2)]);
        FluentActions.Invoking(() => WeightImporter.ReadStateDict(path)).Should().Throw<InvalidDataException>().WithMessage($"'{path}' could not be read as a PyTorch state dictionary*");

        using (var archive = ZipFile.Open(path + ".zip", ZipArchiveMode.Create))
        {
            using var entry = archive.CreateEntry("notes.txt").Open();
            entry.Write("not a state dict"u8);
        }

        File.Move(path + ".zip", path, overwrite: true);
        FluentActions.Invoking(() => WeightImporter.ReadStateDict(path)).Should().Throw<InvalidDataException>().WithMessage($"'{path}' could not be read as a PyTorch state dictionary*");

        var random = new Random(5);
        for (var i = 0; i < 12; i++)
        {
            var bytes = (byte[])original.Clone();
            var at = random.Next(bytes.Length);
            bytes[at] ^= (byte)(1 << random.Next(8));
            File.WriteAllBytes(path, i % 2 == 0 ? bytes : bytes[..random.Next(bytes.Length)]);
            try
            {
                using var scope = NewDisposeScope();
                WeightImporter.ReadStateDict(path);
            }
            catch (InvalidDataException ex)
            {
                ex.Message.Should().Contain(path, "case {0} (byte {1})", i, at);
            }
        }
    }

    [Fact]
    public void ModelCheckpoint_TruncatedFile_ThrowsNamingIt()
    {
        using var model = new DeepLabV2(DeepLabV2Tests.NarrowOptions());
        var path = Path.Combine(_directory, "model.ckpt");
        ModelCheckpoint.Save(model, path);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 100)]);
        FluentActions.Invoking(() => ModelCheckpoint.Load(path)).Should().Throw<InvalidDataException>().WithMessage($"'{path}': tensor '*' has shape * and data offsets *, which do not match each other or the * data bytes of the file.");
        FluentActions.Invoking(() => ModelCheckpoint.Load(SmallSafetensors())).Should().Throw<InvalidDataException>().WithMessage("*small.safetensors' is not a DiGA.Core checkpoint*");
    }

    [Fact]
    public void ModelCheckpoint_MutatedHeaderOrData_LoadsOrThrowsNamingTheFile()
    {
        using var model = new CompactSegmentationModel(new CompactSegmentationModelOptions { ClassNames = ["a", "b"], Width = 4, FeatureChannels = 8, Device = "cpu", Seed = 1 });
        var path = Path.Combine(_directory, "compact.ckpt");
        ModelCheckpoint.Save(model, path);
        var original = File.ReadAllBytes(path);
        var headerEnd = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(original);
        const string JsonCharacters = "0123456789-\"{}[],:";
        var random = new Random(17);
        for (var i = 0; i < 150; i++)
        {
            var bytes = (byte[])original.Clone();
            var at = i % 3 == 0 ? random.Next(bytes.Length) : random.Next(8, headerEnd);
            bytes[at] = i % 2 == 0 ? (byte)(bytes[at] ^ (1 << random.Next(8))) : (byte)JsonCharacters[random.Next(JsonCharacters.Length)];
            File.WriteAllBytes(path, i % 10 == 0 ? bytes[..random.Next(bytes.Length)] : bytes);
            try
            {
                ModelCheckpoint.Load(path, "cpu").Dispose();
            }
            catch (InvalidDataException ex)
            {
                ex.Message.Should().Contain(path, "case {0} (byte {1})", i, at);
            }

            try
            {
                ModelCheckpoint.ReadInfo(path);
            }
            catch (InvalidDataException ex)
            {
                ex.Message.Should().Contain(path, "case {0} (byte {1})", i, at);
            }
        }
    }
}
