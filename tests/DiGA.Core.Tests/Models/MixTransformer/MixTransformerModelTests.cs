using DiGA.Core.Models;
using DiGA.Core.Models.Architectures;
using DiGA.Core.Models.Checkpoints;
using DiGA.Core.Models.MixTransformer;
using DiGA.Core.Models.Weights;
using DiGA.Core.Tests.Helpers;
using TorchSharp;
using TorchSharp.Modules;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace DiGA.Core.Tests.Models.MixTransformer;

public sealed class MixTransformerModelTests(ITestOutputHelper output)
{
    internal static readonly string FixtureDirectory = Path.Combine(AppContext.BaseDirectory, "Fixtures", "models");
    internal static readonly string DAFormerStateDictPath = Path.Combine(FixtureDirectory, "mit_b0_w2_daformer.pth");
    internal static readonly string SegFormerStateDictPath = Path.Combine(FixtureDirectory, "mit_b0_w2_segformer.pth");
    internal static readonly string InputOutputPath = Path.Combine(FixtureDirectory, "mit_b0_w2_io.safetensors");

    /// <summary>The fixture's model: MiT-B0 depths and heads, first-stage width 2, decoder width 8, 5 classes.</summary>
    internal static MixTransformerOptions NarrowOptions(MixTransformerDecoder decoder, int classes = 5, int width = 2, int decoderChannels = 8) => new()
    {
        Variant = MixTransformerVariant.B0,
        Decoder = decoder,
        ClassNames = [.. Enumerable.Range(0, classes).Select(i => $"class{i}")],
        Width = width,
        DecoderChannels = decoderChannels,
        Device = "cpu",
    };

    [Theory]
    [InlineData(MixTransformerDecoder.DAFormer)]
    [InlineData(MixTransformerDecoder.SegFormer)]
    public void Forward_PyTorchParityFixture_MatchesLogitsAndFeatures(MixTransformerDecoder decoder)
    {
        using var model = new MixTransformerModel(NarrowOptions(decoder));
        var (path, options, prefix) = decoder == MixTransformerDecoder.DAFormer
            ? (DAFormerStateDictPath, WeightImportOptions.ForDAFormerCheckpoint(), "daformer")
            : (SegFormerStateDictPath, WeightImportOptions.ForSegFormerCheckpoint(), "segformer");
        var report = WeightImporter.Load(model, path, options);
        report.IsComplete.Should().BeTrue();
        model.Module.eval();
        using var scope = NewDisposeScope();
        var io = WeightImporter.ReadStateDict(InputOutputPath);
        using (no_grad())
        {
            using var result = model.Forward(io["input"]);
            var logitsError = (result.Logits - io[prefix + "_logits"]).abs().max().item<float>();
            var featuresError = (result.Features - io[prefix + "_features"]).abs().max().item<float>();
            output.WriteLine(FormattableString.Invariant($"{decoder}: max |Δ| logits {logitsError:E2}, features {featuresError:E2}"));
            result.Logits.shape.Should().Equal(1, 5, 16, 16);
            result.Features.shape.Should().Equal(1, 8, 16, 16);
            // Fixture from PyTorch 1.13 (another libtorch and oneDNN); |logits| ≤ 11 and |features| ≤ 9 after ~40 float32
            // layers: rounding and kernel differences stay near 1e-6, any wrong layer is off by ≫ 1e-2.
            TensorAssert.Close(result.Logits, io[prefix + "_logits"], 1e-4);
            TensorAssert.Close(result.Features, io[prefix + "_features"], 1e-4);
        }
    }

    [Theory]
    [InlineData(32, 64, 8, 16)]
    [InlineData(65, 97, 17, 25)]
    [InlineData(64, 64, 16, 16)]
    public void Forward_OutputsAtStride4_AndEncoderLevelsAtStrides4To32(int height, int width, int outHeight, int outWidth)
    {
        using var model = new MixTransformerModel(NarrowOptions(MixTransformerDecoder.DAFormer, classes: 3));
        model.Module.eval();
        using var scope = NewDisposeScope();
        using var guard = no_grad();
        var images = randn(2, 3, height, width);
        using var result = model.Forward(images);
        result.Logits.shape.Should().Equal(2, 3, outHeight, outWidth);
        result.Features.shape.Should().Equal(2, 8, outHeight, outWidth);
        var levels = ((MixTransformerNetwork)model.Module).Backbone.forward(images);
        levels.Select(l => l.shape[1]).Should().Equal(2, 4, 10, 16);
        levels.Select(l => l.shape[2]).Should().Equal(outHeight, (outHeight + 1) / 2, (((outHeight + 1) / 2) + 1) / 2, (((((outHeight + 1) / 2) + 1) / 2) + 1) / 2);
        model.Info.OutputStride.Should().Be(4);
        model.Info.FeatureChannels.Should().Be(8);
    }

    [Fact]
    public void Forward_ImageBelowMinimumSize_ThrowsNamingTheMinimum()
    {
        using var model = new MixTransformerModel(NarrowOptions(MixTransformerDecoder.SegFormer));
        model.Module.eval();
        using var guard = no_grad();
        using var fits = model.Forward(zeros(1, 3, MixTransformerModel.MinimumInputSize, 40));
        fits.Logits.shape.Should().Equal(1, 5, 8, 10);
        using var small = zeros(1, 3, 28, 64);
        FluentActions.Invoking(() => model.Forward(small)).Should().Throw<ArgumentException>().WithMessage("*at least 29×29*28×64*");
    }

    [Theory]
    [InlineData(MixTransformerVariant.B0, MixTransformerDecoder.SegFormer, 32, 256, new[] { 2, 2, 2, 2 })]
    [InlineData(MixTransformerVariant.B1, MixTransformerDecoder.SegFormer, 64, 768, new[] { 2, 2, 2, 2 })]
    [InlineData(MixTransformerVariant.B2, MixTransformerDecoder.DAFormer, 64, 256, new[] { 3, 4, 6, 3 })]
    [InlineData(MixTransformerVariant.B3, MixTransformerDecoder.DAFormer, 64, 256, new[] { 3, 4, 18, 3 })]
    [InlineData(MixTransformerVariant.B4, MixTransformerDecoder.DAFormer, 64, 256, new[] { 3, 8, 27, 3 })]
    [InlineData(MixTransformerVariant.B5, MixTransformerDecoder.SegFormer, 64, 768, new[] { 3, 6, 40, 3 })]
    public void Options_Variants_ResolveReferenceWidthsAndDepths(MixTransformerVariant variant, MixTransformerDecoder decoder, int width, int decoderChannels, int[] depths)
    {
        var options = new MixTransformerOptions { Variant = variant, Decoder = decoder };
        options.ResolvedWidth.Should().Be(width);
        options.EmbedDims.Should().Equal(width, 2 * width, 5 * width, 8 * width);
        options.ResolvedDecoderChannels.Should().Be(decoderChannels);
        options.Depths.Should().Equal(depths);
    }

    [Fact]
    public void Constructor_MiTB0_HasTheReferenceKeysParameterCountAndDropPathRates()
    {
        using var model = new MixTransformerModel(new MixTransformerOptions { Variant = MixTransformerVariant.B0, Decoder = MixTransformerDecoder.SegFormer, Device = "cpu" });
        var state = model.Module.state_dict();
        state.Keys.Should().Contain(
        [
            "backbone.patch_embed1.proj.weight", "backbone.patch_embed1.norm.bias", "backbone.block1.0.norm1.weight",
            "backbone.block1.0.attn.q.weight", "backbone.block1.0.attn.kv.bias", "backbone.block1.0.attn.proj.weight",
            "backbone.block1.0.attn.sr.weight", "backbone.block1.0.attn.norm.weight", "backbone.block1.1.mlp.fc1.weight",
            "backbone.block1.1.mlp.dwconv.dwconv.weight", "backbone.block1.1.mlp.fc2.bias", "backbone.norm4.weight",
            "decode_head.linear_c4.proj.weight", "decode_head.linear_fuse.conv.weight", "decode_head.linear_fuse.bn.running_var",
            "decode_head.linear_pred.weight",
        ]);
        state.Keys.Should().NotContain(k => k.StartsWith("backbone.block4.0.attn.sr", StringComparison.Ordinal), "stage 4 has reduction ratio 1");
        state["backbone.block1.0.attn.sr.weight"].shape.Should().Equal(32, 32, 8, 8);
        state["backbone.block2.0.attn.sr.weight"].shape.Should().Equal(64, 64, 4, 4);
        state["backbone.block1.0.attn.kv.weight"].shape.Should().Equal(64, 32);
        state["backbone.block3.1.mlp.dwconv.dwconv.weight"].shape.Should().Equal(640, 1, 3, 3);
        state["backbone.patch_embed2.proj.weight"].shape.Should().Equal(64, 32, 3, 3);
        // The MiT-B0 definition gives 3,319,392 encoder parameters (the PyTorch restatement in the fixture script agrees);
        // with the 150-class SegFormer decoder (0.43 M) this is the 3.8 M the SegFormer paper reports for B0.
        ((MixTransformerNetwork)model.Module).Backbone.parameters().Sum(p => p.numel()).Should().Be(3_319_392);
        var blocks = model.Module.modules().OfType<MixTransformerBlock>().Select(b => b.DropPathRate).ToList();
        blocks.Should().HaveCount(8);
        blocks[0].Should().Be(0.0);
        blocks[^1].Should().BeApproximately(0.1, 1e-12);
        blocks.Should().BeInAscendingOrder();
    }

    [Fact]
    public void Constructor_LayerNormEpsilons_Are1e6InBlocksAndStagesAnd1e5InEmbeddingsAndReduction()
    {
        using var model = new MixTransformerModel(NarrowOptions(MixTransformerDecoder.DAFormer));
        foreach (var (name, module) in model.Module.named_modules())
        {
            if (module is LayerNorm norm)
            {
                var expected = name.Contains("patch_embed", StringComparison.Ordinal) || name.EndsWith("attn.norm", StringComparison.Ordinal) ? 1e-5 : 1e-6;
                norm.eps.Should().Be(expected, name);
            }
        }
    }

    [Fact]
    public void GetParameterGroups_SplitsBackboneNormsAndHead_EachParameterOnce()
    {
        using var model = new MixTransformerModel(NarrowOptions(MixTransformerDecoder.DAFormer));
        var groups = model.GetParameterGroups();
        groups.Select(g => (g.Name, g.LearningRateMultiplier, g.WeightDecayMultiplier))
            .Should().Equal(("backbone", 1.0, 1.0), ("backbone-norm", 1.0, 0.0), ("head", 10.0, 1.0));
        var names = model.Module.named_parameters().ToDictionary(p => p.parameter.Handle, p => p.name);
        groups[1].Parameters.Select(p => names[p.Handle]).Should().OnlyContain(n => n.StartsWith("backbone.", StringComparison.Ordinal) && n.Contains("norm", StringComparison.Ordinal))
            .And.Contain(["backbone.patch_embed1.norm.weight", "backbone.block1.0.attn.norm.bias", "backbone.block2.1.norm2.weight", "backbone.norm3.bias"]);
        groups[0].Parameters.Select(p => names[p.Handle]).Should().OnlyContain(n => n.StartsWith("backbone.", StringComparison.Ordinal) && !n.Contains("norm", StringComparison.Ordinal));
        groups[2].Parameters.Select(p => names[p.Handle]).Should().OnlyContain(n => n.StartsWith("decode_head.", StringComparison.Ordinal))
            .And.Contain("decode_head.fuse_layer.bottleneck.bn.weight");
        groups.SelectMany(g => g.Parameters).Select(p => p.Handle).Should().OnlyHaveUniqueItems()
            .And.BeEquivalentTo(model.Module.parameters().Select(p => p.Handle));
    }

    [Fact]
    public void Backward_DepthwiseConvolutionsWithChannelTails_GiveFloat64Gradients()
    {
        // Mix-FFN depthwise convolutions have 4·w channels and DAFormer's 4·E: with narrow widths these are not multiples of
        // 16. The oneDNN defect concerns dense (groups = 1) convolutions; this checks that the depthwise path is exact too.
        using var scope = NewDisposeScope();
        var generator = new Generator(5);
        foreach (var (channels, dilation) in new[] { (8, 1), (40, 1), (24, 6), (20, 2) })
        {
            using var convolution = nn.Conv2d(channels, channels, 3, padding: dilation, dilation: dilation, groups: channels);
            var input = randn([2, channels, 12, 12], generator: generator).requires_grad_(true);
            var upstream = randn([2, channels, 12, 12], generator: generator);
            convolution.forward(input).backward([upstream]);
            var input64 = input.detach().to(ScalarType.Float64).requires_grad_(true);
            nn.functional.conv2d(input64, convolution.weight!.detach().to(ScalarType.Float64), convolution.bias!.detach().to(ScalarType.Float64), padding: [dilation, dilation], dilation: [dilation, dilation], groups: channels)
                .backward([upstream.to(ScalarType.Float64)]);
            var error = (input.grad!.to(ScalarType.Float64) - input64.grad!).abs().max().item<double>();
            error.Should().BeLessThan(1e-5, "channels {0}, dilation {1}", channels, dilation);
        }
    }

    [Fact]
    public void Backward_TrainingStep_GivesFiniteGradientsToEveryParameter()
    {
        using var model = new MixTransformerModel(NarrowOptions(MixTransformerDecoder.DAFormer, width: 4, decoderChannels: 12));
        using var scope = NewDisposeScope();
        var result = model.Forward(randn(2, 3, 32, 32));
        result.Logits.square().mean().add(result.Features.mean()).backward();
        foreach (var (name, parameter) in model.Module.named_parameters())
        {
            parameter.grad.Should().NotBeNull(name);
            parameter.grad!.isfinite().all().item<bool>().Should().BeTrue(name);
        }
    }

    [Fact]
    public void Clone_CopiesWeightsBuffersAndMode_AndCheckpointRoundTripIsExact()
    {
        using var model = new MixTransformerModel(NarrowOptions(MixTransformerDecoder.SegFormer));
        WeightImporter.Load(model, SegFormerStateDictPath, WeightImportOptions.ForSegFormerCheckpoint());
        model.Module.eval();
        using var clone = model.Clone();
        clone.Module.training.Should().BeFalse();
        clone.Info.Should().BeEquivalentTo(model.Info);
        var source = model.Module.state_dict();
        foreach (var (key, value) in clone.Module.state_dict())
        {
            TensorAssert.Equal(value, source[key], key);
        }

        var directory = Directory.CreateTempSubdirectory("diga-mit-");
        try
        {
            var path = Path.Combine(directory.FullName, "model.safetensors");
            ModelCheckpoint.Save(model, path);
            using var restored = ModelCheckpoint.Load(path, "cpu");
            restored.Should().BeOfType<MixTransformerModel>().Which.Options.Should().BeEquivalentTo(model.Options, o => o.Excluding(x => x.Device));
            restored.Info.Architecture.Should().Be("mit-b0+segformer");
            foreach (var (key, value) in restored.Module.state_dict())
            {
                TensorAssert.Equal(value, source[key], key);
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("mit-b0+daformer", MixTransformerVariant.B0, MixTransformerDecoder.DAFormer)]
    [InlineData("MiT-B3+SegFormer", MixTransformerVariant.B3, MixTransformerDecoder.SegFormer)]
    [InlineData("mit-b5+daformer", MixTransformerVariant.B5, MixTransformerDecoder.DAFormer)]
    public void Registry_MixTransformerNames_BuildTheConfiguredModel(string name, MixTransformerVariant variant, MixTransformerDecoder decoder)
    {
        SegmentationArchitectures.Names.Should().Contain([.. Enumerable.Range(0, 6).SelectMany(i => new[] { $"mit-b{i}+daformer", $"mit-b{i}+segformer" })]);
        SegmentationArchitectures.Get(name).Should().BeSameAs(MixTransformerArchitecture.Instance);
        using var model = SegmentationArchitectures.Create(new SegmentationModelOptions
        {
            Architecture = name,
            ClassNames = ["a", "b", "c"],
            BackboneWidth = 2,
            FeatureChannels = 8,
            Normalization = InputNormalizationPreset.ImageNet,
            Device = "cpu",
        });
        var mit = model.Should().BeOfType<MixTransformerModel>().Which;
        mit.Options.Variant.Should().Be(variant);
        mit.Options.Decoder.Should().Be(decoder);
        mit.Options.Width.Should().Be(2);
        model.Info.Should().BeEquivalentTo(new SegmentationModelInfo(name.ToLowerInvariant(), ["a", "b", "c"], 8, 4, ImageNormalization.ImageNet));
        FluentActions.Invoking(() => SegmentationArchitectures.Create(new SegmentationModelOptions { Architecture = name, OutputStride = 8, Device = "cpu" }))
            .Should().Throw<ArgumentException>().WithMessage("*stride 4*");
    }
}
