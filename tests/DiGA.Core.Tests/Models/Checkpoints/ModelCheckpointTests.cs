using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using DiGA.Core.Models;
using DiGA.Core.Models.Checkpoints;
using DiGA.Core.Models.Compact;
using DiGA.Core.Models.DeepLab;
using DiGA.Core.Models.Inference;
using DiGA.Core.Models.Weights;
using DiGA.Core.Tests.Helpers;
using DiGA.Core.Tests.Models.DeepLab;
using static TorchSharp.torch;

namespace DiGA.Core.Tests.Models.Checkpoints;

public sealed class ModelCheckpointTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("diga-checkpoint-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void SaveLoad_CompactModel_RoundTripIsExact()
    {
        using var model = new CompactSegmentationModel(new CompactSegmentationModelOptions
        {
            ClassNames = ["sky", "road", "car"],
            Width = 16,
            FeatureChannels = 32,
            Normalization = BackboneNormalization.GroupNorm,
            InputNormalization = ImageNormalization.ImageNet,
            Device = "cpu",
            Seed = 3,
        });
        using (var images = randn(2, 3, 32, 32))
        using (model.Forward(images))
        {
        }

        model.Module.eval();
        var path = Path.Combine(_directory, "compact.safetensors");
        ModelCheckpoint.Save(model, path);
        using var loaded = ModelCheckpoint.Load(path, "cpu");
        loaded.Should().BeOfType<CompactSegmentationModel>();
        loaded.Info.Should().BeEquivalentTo(model.Info);
        ((CompactSegmentationModel)loaded).Options.Should().BeEquivalentTo(model.Options);
        loaded.Module.training.Should().BeFalse();
        var expected = model.Module.state_dict();
        var actual = loaded.Module.state_dict();
        actual.Keys.Should().BeEquivalentTo(expected.Keys);
        foreach (var (key, value) in expected)
        {
            TensorAssert.Equal(actual[key], value, key);
            actual[key].dtype.Should().Be(value.dtype);
        }

        // Exact: the weights round-trip bit for bit, and both models run the same kernels on the same input in this process.
        using var probe = randn(1, 3, 24, 40);
        using var a = model.Forward(probe);
        using var b = loaded.Forward(probe);
        TensorAssert.Equal(b.Logits, a.Logits);
        ModelCheckpoint.ReadInfo(path).Should().BeEquivalentTo(model.Info);
    }

    [Fact]
    public void SaveLoad_DeepLabBehindDecorator_RoundTripIsExactAndWriteIsAtomic()
    {
        using var model = new DeepLabV2(DeepLabV2Tests.NarrowOptions(depth: 50));
        var path = Path.Combine(_directory, "deeplab.safetensors");
        File.WriteAllText(path, "old content");
        using var decorated = new MultiScaleInference(model, ownsInnerModel: false);
        ModelCheckpoint.Save(decorated, path);
        Directory.GetFiles(_directory).Should().ContainSingle().Which.Should().Be(path);
        using var loaded = ModelCheckpoint.Load(path, "cpu");
        loaded.Should().BeOfType<DeepLabV2>();
        loaded.Info.Architecture.Should().Be(DeepLabV2Architecture.ResNet50);
        loaded.Module.training.Should().BeTrue();
        var expected = model.Module.state_dict();
        foreach (var (key, value) in loaded.Module.state_dict())
        {
            TensorAssert.Equal(value, expected[key], key);
        }
    }

    [Fact]
    public void Load_PlainStateDictionary_ThrowsExplainingTheFormat()
    {
        FluentActions.Invoking(() => ModelCheckpoint.Load(DeepLabV2Tests.InputOutputPath))
            .Should().Throw<InvalidDataException>().WithMessage("*not a DiGA.Core checkpoint*");
        FluentActions.Invoking(() => ModelCheckpoint.Load(Path.Combine(_directory, "missing.safetensors")))
            .Should().Throw<FileNotFoundException>();
    }

    [Theory]
    [InlineData(32, 64, null, null)]
    [InlineData(512, 1024, 384, 896)]
    public void SaveLoad_WithInputScale_RoundTripsTheScaleAndTheModel(int imageHeight, int imageWidth, int? cropHeight, int? cropWidth)
    {
        using var model = new CompactSegmentationModel(CompactOptions());
        var scale = new InputScale(imageHeight, imageWidth, cropHeight, cropWidth);
        var path = Path.Combine(_directory, "scaled.safetensors");

        ModelCheckpoint.Save(model, path, scale);

        ModelCheckpoint.ReadInputScale(path).Should().Be(scale);
        ModelCheckpoint.ReadInputScale(path)!.Window.Should().Be((cropHeight ?? imageHeight, cropWidth ?? imageWidth));
        using var loaded = ModelCheckpoint.Load(path, "cpu");
        loaded.Info.Should().BeEquivalentTo(model.Info);
        AssertSameState(loaded, model);
    }

    [Fact]
    public void Save_WithoutInputScale_RecordsNone()
    {
        using var model = new CompactSegmentationModel(CompactOptions());
        var path = Path.Combine(_directory, "unscaled.safetensors");

        ModelCheckpoint.Save(model, path);

        ModelCheckpoint.ReadInputScale(path).Should().BeNull();
        SafetensorsFile.ReadMetadata(path)["diga.model"].Should().NotContain("InputScale", "a missing scale is left out of the header");
        SafetensorsFile.ReadMetadata(path)["diga.version"].Should().Be("2");
    }

    [Fact]
    public void Load_Version1CompactCheckpoint_RebuildsTheModelWithoutInputScale()
    {
        using var model = new CompactSegmentationModel(CompactOptions());
        model.Module.eval();
        var path = Path.Combine(_directory, "v1-compact.safetensors");
        WriteVersion1(model, path, deepLabV2: null, compact: JsonSerializer.SerializeToNode(model.Options, Version1Json));

        using var loaded = ModelCheckpoint.Load(path, "cpu");

        loaded.Should().BeOfType<CompactSegmentationModel>();
        ((CompactSegmentationModel)loaded).Options.Should().BeEquivalentTo(model.Options);
        loaded.Info.Should().BeEquivalentTo(model.Info);
        loaded.Info.Normalization.Should().BeEquivalentTo(ImageNormalization.ImageNet, "version 1 kept the normalisation inside the compact options");
        loaded.Module.training.Should().BeFalse();
        AssertSameState(loaded, model);
        ModelCheckpoint.ReadInfo(path).Should().BeEquivalentTo(model.Info);
        ModelCheckpoint.ReadInputScale(path).Should().BeNull("version 1 recorded no input scale");
    }

    [Fact]
    public void Load_CheckpointOfTheEarlierCompactDesign_ThrowsSayingSo()
    {
        // The earlier compact design (a ResNet trunk at output stride 8 or 4 and the ASPP + squeeze-excitation head) recorded
        // OutputStride among its options; its tensors have other names, so it is refused before any tensor is read.
        using var model = new CompactSegmentationModel(CompactOptions());
        var options = JsonSerializer.SerializeToNode(model.Options, Version1Json)!.AsObject();
        options["OutputStride"] = 8;
        var path = Path.Combine(_directory, "earlier-compact.safetensors");
        WriteVersion1(model, path, deepLabV2: null, compact: options);

        FluentActions.Invoking(() => ModelCheckpoint.Load(path, "cpu")).Should().Throw<InvalidDataException>().WithMessage("*earlier compact design*retrain*");
    }

    [Fact]
    public void Load_Version1DeepLabCheckpoint_RebuildsTheModelWithoutInputScale()
    {
        var options = DeepLabV2Tests.NarrowOptions(depth: 50);
        options.Normalization = ImageNormalization.ImageNet;
        using var model = new DeepLabV2(options);
        var path = Path.Combine(_directory, "v1-deeplab.safetensors");
        WriteVersion1(model, path, deepLabV2: JsonSerializer.SerializeToNode(model.Options, Version1Json), compact: null);

        using var loaded = ModelCheckpoint.Load(path, "cpu");

        loaded.Should().BeOfType<DeepLabV2>();
        loaded.Info.Should().BeEquivalentTo(model.Info);
        loaded.Info.Normalization.Should().BeEquivalentTo(ImageNormalization.ImageNet, "version 1 kept the normalisation inside the DeepLabV2 options");
        loaded.Module.training.Should().BeTrue();
        AssertSameState(loaded, model);
        ModelCheckpoint.ReadInfo(path).Should().BeEquivalentTo(model.Info);
        ModelCheckpoint.ReadInputScale(path).Should().BeNull();
    }

    [Fact]
    public void Load_UnknownVersion_ThrowsNamingTheVersion()
    {
        using var model = new CompactSegmentationModel(CompactOptions());
        var path = Path.Combine(_directory, "v3.safetensors");
        WriteVersion1(model, path, deepLabV2: null, compact: JsonSerializer.SerializeToNode(model.Options, Version1Json), version: "3");

        FluentActions.Invoking(() => ModelCheckpoint.Load(path, "cpu")).Should().Throw<InvalidDataException>().WithMessage("*version '3'*");
    }

    /// <summary>The JSON settings version 1 wrote its header with.</summary>
    private static readonly JsonSerializerOptions Version1Json = new() { WriteIndented = false, Converters = { new JsonStringEnumConverter() } };

    private static CompactSegmentationModelOptions CompactOptions() => new()
    {
        ClassNames = ["sky", "road", "car"],
        Width = 16,
        FeatureChannels = 32,
        InputNormalization = ImageNormalization.ImageNet,
        Device = "cpu",
        Seed = 9,
    };

    /// <summary>
    /// Writes a checkpoint as format version 1 did: the same safetensors state dictionary and metadata keys, diga.version 1,
    /// and a header of architecture, classes, feature channels, output stride and mode, with the architecture options (the
    /// input normalisation among them) under the family's name, <c>DeepLabV2</c> or <c>Compact</c>, the other one null, and
    /// no separate normalisation, options or input scale.
    /// </summary>
    private static void WriteVersion1(ISegmentationModel model, string path, JsonNode? deepLabV2, JsonNode? compact, string version = "1")
    {
        var header = new JsonObject
        {
            ["Architecture"] = model.Info.Architecture,
            ["ClassNames"] = new JsonArray([.. model.Info.ClassNames.Select(name => (JsonNode?)JsonValue.Create(name))]),
            ["FeatureChannels"] = model.Info.FeatureChannels,
            ["OutputStride"] = model.Info.OutputStride,
            ["Training"] = model.Module.training,
            ["DeepLabV2"] = deepLabV2,
            ["Compact"] = compact,
        };
        var metadata = new Dictionary<string, string>
        {
            ["diga.format"] = ModelCheckpoint.FormatName,
            ["diga.version"] = version,
            ["diga.model"] = header.ToJsonString(Version1Json),
        };
        using var stream = File.Create(path);
        SafetensorsFile.Write(stream, model.Module.state_dict(), metadata);
    }

    private static void AssertSameState(ISegmentationModel actual, ISegmentationModel expected)
    {
        var expectedState = expected.Module.state_dict();
        var actualState = actual.Module.state_dict();
        actualState.Keys.Should().BeEquivalentTo(expectedState.Keys);
        foreach (var (key, value) in expectedState)
        {
            // Exact: the tensors are stored and read back bit for bit.
            TensorAssert.Equal(actualState[key], value, key);
            actualState[key].dtype.Should().Be(value.dtype);
        }
    }
}
