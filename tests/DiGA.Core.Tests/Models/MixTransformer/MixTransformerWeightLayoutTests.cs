using System.Text.RegularExpressions;
using DiGA.Core.Models.MixTransformer;
using DiGA.Core.Models.Weights;
using DiGA.Core.Tests.Helpers;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace DiGA.Core.Tests.Models.MixTransformer;

/// <summary>
/// The checkpoint layouts a Mix Transformer model loads, each written here from the parity fixture's weights: SegFormer's
/// ImageNet encoder files, mmseg/DAFormer segmentation and training checkpoints, and Hugging Face SegFormer safetensors.
/// </summary>
public sealed class MixTransformerWeightLayoutTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("diga-mit-weights-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Load_ImageNetEncoderFile_LoadsTheEncoderStrictlyAndKeepsTheDecoder()
    {
        using var scope = NewDisposeScope();
        var fixture = WeightImporter.ReadStateDict(MixTransformerModelTests.DAFormerStateDictPath);
        var imageNet = fixture.Where(kv => kv.Key.StartsWith("backbone.", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key["backbone.".Length..], kv => kv.Value);
        imageNet["head.weight"] = randn(1000, 16);
        imageNet["head.bias"] = randn(1000);
        var path = Path.Combine(_directory, "mit_b0.pth");
        PyTorchPickler.PickleStateDict(path, imageNet);

        using var model = new MixTransformerModel(MixTransformerModelTests.NarrowOptions(MixTransformerDecoder.DAFormer));
        var headBefore = model.Module.state_dict()["decode_head.fuse_layer.bottleneck.conv.weight"].clone();
        var report = WeightImporter.Load(model, path, WeightImportOptions.ForMixTransformerImageNet());

        report.SkippedKeys.Should().BeEquivalentTo(["head.weight", "head.bias"]);
        report.LoadedKeys.Should().HaveCount(imageNet.Count - 2).And.OnlyContain(k => k.StartsWith("backbone.", StringComparison.Ordinal));
        report.MissingKeys.Should().BeEmpty();
        var state = model.Module.state_dict();
        TensorAssert.Equal(state["backbone.block3.1.attn.kv.weight"], fixture["backbone.block3.1.attn.kv.weight"]);
        TensorAssert.Equal(state["backbone.patch_embed1.norm.bias"], fixture["backbone.patch_embed1.norm.bias"]);
        TensorAssert.Equal(state["decode_head.fuse_layer.bottleneck.conv.weight"], headBefore, "the decoder keeps its initialisation");

        using var encoderOnly = new MixTransformerModel(MixTransformerModelTests.NarrowOptions(MixTransformerDecoder.SegFormer));
        WeightImporter.Load(encoderOnly.Encoder, path, new WeightImportOptions { SkipSourcePrefixes = ["head."] }).IsComplete.Should().BeTrue();
        TensorAssert.Equal(encoderOnly.Module.state_dict()["backbone.norm4.weight"], fixture["backbone.norm4.weight"]);

        imageNet.Remove("block2.1.mlp.fc2.bias");
        var incomplete = Path.Combine(_directory, "incomplete.pth");
        PyTorchPickler.PickleStateDict(incomplete, imageNet);
        FluentActions.Invoking(() => WeightImporter.Load(model, incomplete, WeightImportOptions.ForMixTransformerImageNet()))
            .Should().Throw<WeightImportException>().WithMessage("*backbone.block2.1.mlp.fc2.bias*");
    }

    [Fact]
    public void Load_DAFormerTrainingCheckpoint_LoadsTheChosenModelOnly()
    {
        using var scope = NewDisposeScope();
        var fixture = WeightImporter.ReadStateDict(MixTransformerModelTests.DAFormerStateDictPath);
        var training = new Dictionary<string, Tensor>();
        foreach (var (key, value) in fixture)
        {
            training["model." + key] = value;
            training["ema_model." + key] = value.dtype == ScalarType.Int64 ? value : value + 1;
            training["imnet_model." + key] = value;
        }

        var path = Path.Combine(_directory, "daformer_iter_40000.pth");
        PyTorchPickler.PickleStateDict(path, training);
        using var model = new MixTransformerModel(MixTransformerModelTests.NarrowOptions(MixTransformerDecoder.DAFormer));

        var report = WeightImporter.Load(model, path, WeightImportOptions.ForDAFormerCheckpoint("ema_model."));

        report.LoadedKeys.Should().HaveCount(fixture.Count);
        report.SkippedKeys.Should().HaveCount(2 * fixture.Count).And.OnlyContain(k => !k.StartsWith("ema_model.", StringComparison.Ordinal));
        var state = model.Module.state_dict();
        TensorAssert.Equal(state["decode_head.conv_seg.weight"], fixture["decode_head.conv_seg.weight"] + 1);
        TensorAssert.Equal(state["decode_head.fuse_layer.aspp_modules.2.depthwise_conv.bn.running_mean"], fixture["decode_head.fuse_layer.aspp_modules.2.depthwise_conv.bn.running_mean"] + 1);
        WeightImporter.Load(model, path, WeightImportOptions.ForDAFormerCheckpoint("model.")).IsComplete.Should().BeTrue();
        TensorAssert.Equal(model.Module.state_dict()["backbone.block1.0.attn.q.weight"], fixture["backbone.block1.0.attn.q.weight"]);
    }

    [Fact]
    public void Load_SegFormerCheckpointWithUnusedConvSeg_NeedsThePresetThatSkipsIt()
    {
        using var model = new MixTransformerModel(MixTransformerModelTests.NarrowOptions(MixTransformerDecoder.SegFormer));
        FluentActions.Invoking(() => WeightImporter.Load(model, MixTransformerModelTests.SegFormerStateDictPath))
            .Should().Throw<WeightImportException>().Which.Report.UnexpectedKeys.Should().BeEquivalentTo(["decode_head.conv_seg.weight", "decode_head.conv_seg.bias"]);
        var report = WeightImporter.Load(model, MixTransformerModelTests.SegFormerStateDictPath, WeightImportOptions.ForSegFormerCheckpoint());
        report.SkippedKeys.Should().BeEquivalentTo(["decode_head.conv_seg.weight", "decode_head.conv_seg.bias"]);
        report.IsComplete.Should().BeTrue();
    }

    [Fact]
    public void Load_HuggingFaceSegFormerSafetensors_MatchesTheParityFixture()
    {
        var path = Path.Combine(_directory, "model.safetensors");
        using (var scope = NewDisposeScope())
        {
            var hf = ToHuggingFace(WeightImporter.ReadStateDict(MixTransformerModelTests.SegFormerStateDictPath));
            hf.Keys.Should().Contain(
            [
                "segformer.encoder.patch_embeddings.0.proj.weight", "segformer.encoder.patch_embeddings.3.layer_norm.bias",
                "segformer.encoder.block.0.1.attention.self.key.weight", "segformer.encoder.block.2.0.attention.self.value.bias",
                "segformer.encoder.block.1.0.attention.self.sr.weight", "segformer.encoder.block.1.0.attention.self.layer_norm.weight",
                "segformer.encoder.block.3.1.attention.output.dense.weight", "segformer.encoder.block.3.1.mlp.dwconv.dwconv.weight",
                "segformer.encoder.block.0.0.layer_norm_2.weight", "segformer.encoder.layer_norm.3.weight",
                "decode_head.linear_c.3.proj.weight", "decode_head.linear_fuse.weight", "decode_head.batch_norm.running_var",
                "decode_head.classifier.bias",
            ]);
            using var stream = File.Create(path);
            SafetensorsFile.Write(stream, hf, new Dictionary<string, string> { ["format"] = "pt" });
        }

        using var model = new MixTransformerModel(MixTransformerModelTests.NarrowOptions(MixTransformerDecoder.SegFormer));
        var report = WeightImporter.Load(model, path, WeightImportOptions.ForHuggingFaceSegFormer());
        report.IsComplete.Should().BeTrue();
        report.LoadedKeys.Should().HaveCount(model.Module.state_dict().Count);
        model.Module.eval();
        using var io = new DisposableDictionary(WeightImporter.ReadStateDict(MixTransformerModelTests.InputOutputPath));
        using var guard = no_grad();
        using var result = model.Forward(io.Tensors["input"]);
        TensorAssert.Close(result.Logits, io.Tensors["segformer_logits"], 1e-4);
        TensorAssert.Close(result.Features, io.Tensors["segformer_features"], 1e-4);
    }

    [Fact]
    public void Load_HuggingFaceImageNetEncoder_LoadsTheEncoderAndSkipsTheClassifier()
    {
        var path = Path.Combine(_directory, "mit.safetensors");
        using (var scope = NewDisposeScope())
        {
            var hf = ToHuggingFace(WeightImporter.ReadStateDict(MixTransformerModelTests.DAFormerStateDictPath))
                .Where(kv => kv.Key.StartsWith("segformer.", StringComparison.Ordinal))
                .ToDictionary(kv => kv.Key, kv => kv.Value);
            hf["classifier.weight"] = randn(1000, 16);
            hf["classifier.bias"] = randn(1000);
            using var stream = File.Create(path);
            SafetensorsFile.Write(stream, hf, new Dictionary<string, string>());
        }

        using var model = new MixTransformerModel(MixTransformerModelTests.NarrowOptions(MixTransformerDecoder.DAFormer));
        FluentActions.Invoking(() => WeightImporter.Load(model, path, WeightImportOptions.ForHuggingFaceSegFormer()))
            .Should().Throw<WeightImportException>("the file has no decoder");
        var report = WeightImporter.Load(model, path, WeightImportOptions.ForHuggingFaceSegFormer(encoderOnly: true));
        report.SkippedKeys.Should().BeEquivalentTo(["classifier.weight", "classifier.bias"]);
        report.MissingKeys.Should().BeEmpty();
        report.LoadedKeys.Should().OnlyContain(k => k.StartsWith("backbone.", StringComparison.Ordinal));
        using var scope2 = NewDisposeScope();
        var fixture = WeightImporter.ReadStateDict(MixTransformerModelTests.DAFormerStateDictPath);
        TensorAssert.Equal(model.Module.state_dict()["backbone.block4.1.attn.kv.weight"], fixture["backbone.block4.1.attn.kv.weight"]);
    }

    /// <summary>Writes mmseg keys in the Hugging Face <c>transformers</c> SegFormer layout (keys and values split; <c>conv_seg</c> dropped).</summary>
    private static Dictionary<string, Tensor> ToHuggingFace(Dictionary<string, Tensor> mmseg)
    {
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (key, value) in mmseg)
        {
            if (key.StartsWith("decode_head.conv_seg.", StringComparison.Ordinal))
            {
                continue;
            }

            var name = key;
            name = Regex.Replace(name, @"^backbone\.patch_embed(\d)\.norm\.", m => $"segformer.encoder.patch_embeddings.{Stage(m)}.layer_norm.");
            name = Regex.Replace(name, @"^backbone\.patch_embed(\d)\.", m => $"segformer.encoder.patch_embeddings.{Stage(m)}.");
            name = Regex.Replace(name, @"^backbone\.block(\d)\.", m => $"segformer.encoder.block.{Stage(m)}.");
            name = Regex.Replace(name, @"^backbone\.norm(\d)\.", m => $"segformer.encoder.layer_norm.{Stage(m)}.");
            name = Regex.Replace(name, @"^decode_head\.linear_c(\d)\.", m => $"decode_head.linear_c.{Stage(m)}.");
            name = name
                .Replace(".attn.q.", ".attention.self.query.", StringComparison.Ordinal)
                .Replace(".attn.sr.", ".attention.self.sr.", StringComparison.Ordinal)
                .Replace(".attn.norm.", ".attention.self.layer_norm.", StringComparison.Ordinal)
                .Replace(".attn.proj.", ".attention.output.dense.", StringComparison.Ordinal)
                .Replace(".mlp.fc1.", ".mlp.dense1.", StringComparison.Ordinal)
                .Replace(".mlp.fc2.", ".mlp.dense2.", StringComparison.Ordinal)
                .Replace(".norm1.", ".layer_norm_1.", StringComparison.Ordinal)
                .Replace(".norm2.", ".layer_norm_2.", StringComparison.Ordinal)
                .Replace("decode_head.linear_fuse.conv.", "decode_head.linear_fuse.", StringComparison.Ordinal)
                .Replace("decode_head.linear_fuse.bn.", "decode_head.batch_norm.", StringComparison.Ordinal)
                .Replace("decode_head.linear_pred.", "decode_head.classifier.", StringComparison.Ordinal);
            if (name.Contains(".attn.kv.", StringComparison.Ordinal))
            {
                var half = value.shape[0] / 2;
                result[name.Replace(".attn.kv.", ".attention.self.key.", StringComparison.Ordinal)] = value[..(int)half];
                result[name.Replace(".attn.kv.", ".attention.self.value.", StringComparison.Ordinal)] = value[(int)half..];
                continue;
            }

            result[name] = value;
        }

        return result;

        static int Stage(Match match) => int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) - 1;
    }

    private sealed class DisposableDictionary(Dictionary<string, Tensor> tensors) : IDisposable
    {
        public Dictionary<string, Tensor> Tensors { get; } = tensors;

        public void Dispose()
        {
            foreach (var tensor in Tensors.Values)
            {
                tensor.Dispose();
            }
        }
    }
}
