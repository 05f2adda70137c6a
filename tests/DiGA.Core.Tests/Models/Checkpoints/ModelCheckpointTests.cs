using DiGA.Core.Models;
using DiGA.Core.Models.Checkpoints;
using DiGA.Core.Models.Compact;
using DiGA.Core.Models.DeepLab;
using DiGA.Core.Models.Inference;
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
            OutputStride = 4,
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
}
