using DiGA.Core.Models.DeepLab;
using DiGA.Core.Models.Weights;
using DiGA.Core.Tests.Helpers;
using TorchSharp;
using TorchSharp.Modules;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace DiGA.Core.Tests.Models.DeepLab;

public sealed class DeepLabV2Tests(ITestOutputHelper output)
{
    internal static readonly string FixtureDirectory = Path.Combine(AppContext.BaseDirectory, "Fixtures", "models");
    internal static readonly string StateDictPath = Path.Combine(FixtureDirectory, "deeplabv2_r101_w4_f32.pth");
    internal static readonly string InputOutputPath = Path.Combine(FixtureDirectory, "deeplabv2_r101_w4_f32_io.safetensors");

    internal static DeepLabV2Options NarrowOptions(int classes = 5, int depth = 101) => new()
    {
        Depth = depth,
        ClassNames = [.. Enumerable.Range(0, classes).Select(i => $"class{i}")],
        BackboneWidth = 4,
        FeatureChannels = 32,
        Device = "cpu",
    };

    [Fact]
    public void Forward_PyTorchParityFixture_MatchesLogitsAndFeatures()
    {
        using var model = new DeepLabV2(NarrowOptions());
        var report = WeightImporter.Load(model, StateDictPath);
        report.IsComplete.Should().BeTrue();
        report.LoadedKeys.Should().Contain(["layer1.0.downsample.1.running_var", "layer5.bottleneck.0.se.2.bias", "layer5.head.1.weight", "bn1.num_batches_tracked"]);
        model.Module.eval();
        using var scope = NewDisposeScope();
        var io = WeightImporter.ReadStateDict(InputOutputPath);
        using (no_grad())
        {
            using var result = model.Forward(io["input"]);
            output.WriteLine(FormattableString.Invariant($"max |Δ| logits {(result.Logits - io["logits"]).abs().max().item<float>():E2}, features {(result.Features - io["features"]).abs().max().item<float>():E2}"));
            // Fixture from PyTorch 1.13 on another machine: ~110 float32 convolution/BN layers with |logits| ≤ 5.3 and
            // |features| ≤ 4.5. Kernel differences (oneDNN ISA, thread split, library version) give max |Δ| ≈ 1.1e-5 on every
            // setting tried (≈ 2e-6 of the largest value); 1e-4 allows ninefold more, yet any wrong layer is off by ≫ 1e-2.
            TensorAssert.Close(result.Logits, io["logits"], 1e-4);
            TensorAssert.Close(result.Features, io["features"], 1e-4);
        }
    }

    [Theory]
    [InlineData(512, 896, 65, 113)]
    [InlineData(512, 1024, 65, 129)]
    [InlineData(1024, 2048, 129, 257)]
    [InlineData(720, 1280, 91, 161)]
    [InlineData(360, 640, 46, 81)]
    [InlineData(1080, 1920, 136, 241)]
    [InlineData(540, 960, 68, 121)]
    public void Forward_ReferenceCropSizes_GiveReferenceOutputSizes(int height, int width, int outHeight, int outWidth)
    {
        using var model = new DeepLabV2(new DeepLabV2Options { BackboneWidth = 1, FeatureChannels = 32, Device = "cpu", AtrousRates = [6] });
        model.Module.eval();
        using var images = zeros(1, 3, height, width);
        using var guard = no_grad();
        using var output = model.Forward(images);
        output.Logits.shape.Should().Equal(1, 19, outHeight, outWidth);
        output.Features.shape.Should().Equal(1, 32, outHeight, outWidth);
    }

    [Fact]
    public void Forward_FullWidthResNet101_ReturnsStride8LogitsAnd256dFeatures()
    {
        using var model = new DeepLabV2(new DeepLabV2Options { Device = "cpu" });
        model.Module.parameters().Sum(p => p.numel()).Should().BeGreaterThan(42_000_000);
        model.Module.eval();
        using var images = randn(1, 3, 65, 113);
        using var guard = no_grad();
        using var output = model.Forward(images);
        output.Logits.shape.Should().Equal(1, 19, 9, 15);
        output.Features.shape.Should().Equal(1, 256, 9, 15);
        model.Info.Architecture.Should().Be("deeplabv2-resnet101");
        model.Info.OutputStride.Should().Be(8);
    }

    [Fact]
    public void Constructor_Default_FreezesBatchNormAffineAndInitialisesConvolutionsWithStd001()
    {
        using var model = new DeepLabV2(NarrowOptions());
        var batchNorms = model.Module.modules().OfType<BatchNorm>().ToList();
        batchNorms.Should().HaveCount(1 + (33 * 3) + 4);
        batchNorms.Should().OnlyContain(bn => !bn.weight!.requires_grad && !bn.bias!.requires_grad);
        var state = model.Module.state_dict();
        // Sample standard deviations of N(0, 0.01²) draws: relative spread 1/√(2n) = 1.5 % for the 16·16·9 weights of
        // layer3.22.conv2 and below 1 % for the head convolution, so ±20 % and ±10 % are > 10σ; constants are exact.
        state["layer3.22.conv2.weight"].std().item<float>().Should().BeApproximately(0.01f, 0.002f);
        state["layer5.conv2d_list.4.0.weight"].std().item<float>().Should().BeApproximately(0.01f, 0.001f);
        state["layer5.bottleneck.1.bias"].abs().max().item<float>().Should().Be(0f);
        state["layer5.bottleneck.2.weight"].min().item<float>().Should().Be(1f);
        state.Keys.Should().Contain(["conv1.weight", "bn1.running_mean", "layer1.0.downsample.0.weight", "layer4.2.bn3.bias"]);
    }

    [Fact]
    public void GetParameterGroups_SplitsBackboneAndHeadWithoutBatchNorm()
    {
        using var model = new DeepLabV2(NarrowOptions());
        var groups = model.GetParameterGroups();
        groups.Select(g => (g.Name, g.LearningRateMultiplier)).Should().Equal(("backbone", 1.0), ("head", 10.0));
        groups[0].Parameters.Should().HaveCount(1 + (33 * 3) + 4, "conv weights only: BN is frozen");
        groups[1].Parameters.Should().HaveCount(model.Module.named_parameters().Count(p => p.name.StartsWith("layer5.", StringComparison.Ordinal)));
        groups.SelectMany(g => g.Parameters).Select(p => p.Handle).Should().OnlyHaveUniqueItems()
            .And.BeEquivalentTo(model.Module.parameters().Where(p => p.requires_grad).Select(p => p.Handle));
    }

    [Fact]
    public void GetReferenceParameterGroups_RepeatsBackboneWeightsByReferenceMultiplicity()
    {
        using var model = new DeepLabV2(NarrowOptions());
        var groups = model.GetReferenceParameterGroups();
        var state = model.Module.state_dict();
        var counts = groups[0].Parameters.GroupBy(p => p.Handle).ToDictionary(g => g.Key, g => g.Count());
        counts[state["conv1.weight"].Handle].Should().Be(2);
        counts[state["layer3.7.conv2.weight"].Handle].Should().Be(3);
        counts[state["layer2.0.downsample.0.weight"].Handle].Should().Be(4);
        groups[0].Parameters.Should().HaveCount(2 + (99 * 3) + (4 * 4));
        groups[1].Parameters.Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public void Clone_CopiesWeightsBuffersAndMode()
    {
        using var model = new DeepLabV2(NarrowOptions(depth: 50));
        WeightImporter.Load(model, StateDictPath, new WeightImportOptions { Strict = false });
        model.Module.eval();
        using var clone = model.Clone();
        clone.Module.training.Should().BeFalse();
        clone.Info.Should().BeEquivalentTo(model.Info);
        var source = model.Module.state_dict();
        foreach (var (key, value) in clone.Module.state_dict())
        {
            // Copies: exact.
            TensorAssert.Equal(value, source[key], key);
        }
    }
}
