using DiGA.Core.Models.DeepLab;
using DiGA.Core.Models.Weights;
using DiGA.Core.Tests.Helpers;
using DiGA.Core.Tests.Models.DeepLab;
using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Tests.Models.Weights;

public sealed class WeightImporterTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("diga-weights-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Load_StrictWithMissingKeyAndShapeMismatch_ThrowsListingBothAndLeavesModelUnchanged()
    {
        var path = Path.Combine(_directory, "partial.safetensors");
        using (var scope = NewDisposeScope())
        {
            var state = WeightImporter.ReadStateDict(DeepLabV2Tests.StateDictPath);
            state.Remove("layer2.1.bn2.running_mean");
            using var stream = File.Create(path);
            SafetensorsFile.Write(stream, state, new Dictionary<string, string>());
        }

        using var model = new DeepLabV2(DeepLabV2Tests.NarrowOptions(classes: 6));
        using var before = model.Module.state_dict()["conv1.weight"].clone();
        var act = () => WeightImporter.Load(model, path);
        var error = act.Should().Throw<WeightImportException>().Which;
        error.Message.Should().Contain("layer2.1.bn2.running_mean").And.Contain("layer5.head.1.weight: model [6, 32, 1, 1], file [5, 32, 1, 1]").And.Contain("partial.safetensors");
        error.Report.MissingKeys.Should().Equal("layer2.1.bn2.running_mean");
        error.Report.ShapeMismatches.Should().ContainSingle().Which.Key.Should().Be("layer5.head.1.weight");
        TensorAssert.Equal(model.Module.state_dict()["conv1.weight"], before, "a failed strict load copies nothing");
    }

    [Fact]
    public void Load_NonStrict_LoadsMatchingKeysAndReportsTheRest()
    {
        using var model = new DeepLabV2(DeepLabV2Tests.NarrowOptions(classes: 6));
        var report = WeightImporter.Load(model, DeepLabV2Tests.StateDictPath, new WeightImportOptions { Strict = false });
        report.IsComplete.Should().BeFalse();
        report.ShapeMismatches.Select(m => m.Key).Should().Equal("layer5.head.1.weight");
        report.MissingKeys.Should().BeEmpty();
        report.UnexpectedKeys.Should().BeEmpty();
        using var scope = NewDisposeScope();
        var file = WeightImporter.ReadStateDict(DeepLabV2Tests.StateDictPath);
        TensorAssert.Equal(model.Module.state_dict()["layer4.2.bn3.running_var"], file["layer4.2.bn3.running_var"]);
        TensorAssert.Equal(model.Module.state_dict()["layer5.conv2d_list.3.0.bias"], file["layer5.conv2d_list.3.0.bias"]);
    }

    [Fact]
    public void Load_DeepLabImageNetInitializationRule_LoadsBackboneOnlyFromScalePrefixedKeys()
    {
        var path = Path.Combine(_directory, "init.safetensors");
        using (var scope = NewDisposeScope())
        {
            var state = WeightImporter.ReadStateDict(DeepLabV2Tests.StateDictPath);
            var renamed = state
                .Where(kv => !kv.Key.EndsWith("num_batches_tracked", StringComparison.Ordinal))
                .Where(kv => !kv.Key.StartsWith("layer5.", StringComparison.Ordinal))
                .ToDictionary(kv => "Scale." + kv.Key, kv => kv.Value);
            renamed["Scale.layer5.conv2d_list.0.weight"] = zeros(19, 2048, 3, 3);
            using var stream = File.Create(path);
            SafetensorsFile.Write(stream, renamed, new Dictionary<string, string>());
        }

        using var model = new DeepLabV2(DeepLabV2Tests.NarrowOptions());
        using var headBefore = model.Module.state_dict()["layer5.head.1.weight"].clone();
        FluentActions.Invoking(() => WeightImporter.Load(model, path)).Should().Throw<WeightImportException>();
        var report = WeightImporter.Load(model, path, WeightImportOptions.ForDeepLabImageNetInitialization());
        report.SkippedKeys.Should().Equal("Scale.layer5.conv2d_list.0.weight");
        report.MissingKeys.Should().BeEmpty();
        report.LoadedKeys.Should().NotContain(k => k.StartsWith("layer5.", StringComparison.Ordinal)).And.Contain("layer1.0.bn1.running_mean");
        using var scope2 = NewDisposeScope();
        var file = WeightImporter.ReadStateDict(DeepLabV2Tests.StateDictPath);
        TensorAssert.Equal(model.Module.state_dict()["layer3.5.conv2.weight"], file["layer3.5.conv2.weight"]);
        TensorAssert.Equal(model.Module.state_dict()["bn1.running_var"], file["bn1.running_var"]);
        TensorAssert.Equal(model.Module.state_dict()["layer5.head.1.weight"], headBefore, "the head keeps its initialisation");
    }

    [Fact]
    public void ReadStateDict_UnknownFile_ThrowsNamingTheFile()
    {
        var path = Path.Combine(_directory, "noise.bin");
        File.WriteAllBytes(path, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
        FluentActions.Invoking(() => WeightImporter.ReadStateDict(path)).Should().Throw<InvalidDataException>().WithMessage("*noise.bin*");
        FluentActions.Invoking(() => WeightImporter.ReadStateDict(Path.Combine(_directory, "absent.pth"))).Should().Throw<FileNotFoundException>();
    }
}
