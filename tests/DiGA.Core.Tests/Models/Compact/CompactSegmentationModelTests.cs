using System.ComponentModel.DataAnnotations;
using DiGA.Core.Foundation;
using DiGA.Core.Models;
using DiGA.Core.Models.Compact;
using DiGA.Core.Tests.Helpers;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace DiGA.Core.Tests.Models.Compact;

public sealed class CompactSegmentationModelTests(ITestOutputHelper output)
{
    private static CompactSegmentationModelOptions Options(int classes = 4) => new()
    {
        ClassNames = [.. Enumerable.Range(0, classes).Select(i => $"c{i}")],
        Device = "cpu",
        Seed = 7,
    };

    [Theory]
    [InlineData(64, 128, 32, 64)]
    [InlineData(65, 113, 33, 57)]
    [InlineData(32, 32, 16, 16)]
    public void Forward_Batch_ReturnsLogitsAndFeaturesAtOutputStride2(int height, int width, int outHeight, int outWidth)
    {
        using var model = new CompactSegmentationModel(Options());
        using var images = randn(2, 3, height, width);
        using var result = model.Forward(images);
        result.Logits.shape.Should().Equal(2, 4, outHeight, outWidth);
        result.Features.shape.Should().Equal(2, 32, outHeight, outWidth);
        model.Info.OutputStride.Should().Be(2);
        model.Info.Architecture.Should().Be("compact");
        model.Info.FeatureChannels.Should().Be(32);
    }

    [Fact]
    public void Constructor_Defaults_HaveTheDocumentedParameterCount()
    {
        // docs/models.md: 114,947 parameters for the 19 Cityscapes classes at the default width.
        using var model = new CompactSegmentationModel(new CompactSegmentationModelOptions { Device = "cpu" });
        model.Module.parameters().Sum(p => p.numel()).Should().Be(114_947);
    }

    [Fact]
    public void Constructor_SameSeed_GivesIdenticalWeights()
    {
        using var a = new CompactSegmentationModel(Options());
        using var b = new CompactSegmentationModel(Options());
        using var c = new CompactSegmentationModel(new CompactSegmentationModelOptions { ClassNames = ["a", "b", "c", "d"], Device = "cpu", Seed = 8 });
        var sa = a.Module.state_dict();
        var sb = b.Module.state_dict();
        foreach (var (key, value) in sa)
        {
            // The same seeded draws in one process: exact.
            Helpers.TensorAssert.Equal(value, sb[key], key);
        }

        sa["decoder.classifier.weight"].allclose(c.Module.state_dict()["decoder.classifier.weight"], rtol: 0, atol: 0).Should().BeFalse();
    }

    [Fact]
    public void Clone_CopiesWeightsBuffersAndMode_AndIsIndependent()
    {
        using var model = new CompactSegmentationModel(Options());
        using (var warm = randn(2, 3, 32, 32))
        using (model.Forward(warm))
        {
        }

        model.Module.eval();
        using var clone = model.Clone();
        clone.Module.training.Should().BeFalse();
        var source = model.Module.state_dict();
        foreach (var (key, value) in clone.Module.state_dict())
        {
            // Copies: exact.
            Helpers.TensorAssert.Equal(value, source[key], key);
        }

        using (no_grad())
        {
            clone.Module.parameters().First().add_(1.0);
        }

        clone.Module.parameters().First().allclose(model.Module.parameters().First(), rtol: 0, atol: 0).Should().BeFalse();
        using var images = randn(1, 3, 32, 48);
        using var a = model.Forward(images);
        using var b = model.Forward(images);
        Helpers.TensorAssert.Equal(a.Logits, b.Logits, "eval mode is deterministic");
    }

    [Fact]
    public void GetParameterGroups_CoversEveryTrainableParameterOnce()
    {
        using var model = new CompactSegmentationModel(Options());
        var groups = model.GetParameterGroups();
        groups.Select(g => (g.Name, g.LearningRateMultiplier)).Should().Equal(("backbone", 1.0), ("head", 10.0));
        var all = groups.SelectMany(g => g.Parameters).Select(p => p.Handle).ToList();
        all.Should().OnlyHaveUniqueItems();
        all.Should().BeEquivalentTo(model.Module.parameters().Where(p => p.requires_grad).Select(p => p.Handle));
    }

    [Fact]
    public void Forward_InvalidImages_ThrowsNamingTheProblem()
    {
        using var model = new CompactSegmentationModel(Options());
        using var gray = randn(1, 1, 32, 32);
        using var doubles = randn(1, 3, 32, 32, ScalarType.Float64);
        FluentActions.Invoking(() => model.Forward(gray)).Should().Throw<ArgumentException>().WithMessage("*[N, 3, H, W]*[1, 1, 32, 32]*");
        FluentActions.Invoking(() => model.Forward(doubles)).Should().Throw<ArgumentException>().WithMessage("*float32*");
    }

    [Fact]
    public void Constructor_InvalidOptions_Throws()
    {
        FluentActions.Invoking(() => new CompactSegmentationModel(new CompactSegmentationModelOptions { Width = 31, Device = "cpu" }))
            .Should().Throw<ArgumentException>().WithMessage("*CompactSegmentationModelOptions.Width*even*got 31*");
        FluentActions.Invoking(() => new CompactSegmentationModel(new CompactSegmentationModelOptions { FeatureChannels = 60, Normalization = BackboneNormalization.GroupNorm, Device = "cpu" }))
            .Should().Throw<ArgumentException>().WithMessage("*FeatureChannels*");
        FluentActions.Invoking(() => new CompactSegmentationModel(new CompactSegmentationModelOptions { AtrousRates = [], Device = "cpu" }))
            .Should().Throw<ArgumentException>().WithMessage("*AtrousRates*");
    }

    [Theory]
    [InlineData(2, true)]
    [InlineData(4, true)]
    [InlineData(1024, true)]
    [InlineData(0, false)]
    [InlineData(1026, false)]
    public void Width_RangeAttributeAndValidateAgree(int width, bool valid) =>
        AssertAttributesAndValidateAgree(
            new CompactSegmentationModelOptions { Width = width, Device = "cpu" }, valid, $"*CompactSegmentationModelOptions.Width*even number from 2 to 1024*got {width}*");

    [Theory]
    [InlineData(1, true)]
    [InlineData(4096, true)]
    [InlineData(0, false)]
    [InlineData(4097, false)]
    public void FeatureChannels_RangeAttributeAndValidateAgree(int channels, bool valid) =>
        AssertAttributesAndValidateAgree(
            new CompactSegmentationModelOptions { FeatureChannels = channels, Device = "cpu" }, valid, $"*CompactSegmentationModelOptions.FeatureChannels*from 1 to 4096*got {channels}*");

    private static void AssertAttributesAndValidateAgree(CompactSegmentationModelOptions options, bool valid, string message)
    {
        Validator.TryValidateObject(options, new ValidationContext(options), [], validateAllProperties: true).Should().Be(valid);
        var validate = options.Validate;
        if (valid)
        {
            validate.Should().NotThrow();
        }
        else
        {
            validate.Should().Throw<ArgumentException>().WithMessage(message);
        }
    }

    [Fact]
    public void Constructor_NarrowestWidth_BuildsAOneChannelStem()
    {
        using var model = new CompactSegmentationModel(new CompactSegmentationModelOptions { ClassNames = ["a", "b"], Width = 2, FeatureChannels = 8, Device = "cpu" });
        using var images = randn(1, 3, 16, 16);
        using var result = model.Forward(images);
        result.Logits.shape.Should().Equal(1, 2, 8, 8);
        model.Module.state_dict()["stem.0.weight"].shape.Should().Equal(1, 3, 3, 3);
    }

    [Fact]
    public void Forward_Training_DecoderDropoutDrawsItsChannelMasksFromTheInstalledGenerator()
    {
        using var scope = NewDisposeScope();
        var options = Options();
        options.DropoutRate = 0.5;
        using var model = new CompactSegmentationModel(options);
        model.Module.train();
        var images = randn([2, 3, 32, 64], generator: new Generator(5));

        Tensor Features(ulong seed)
        {
            using var generator = new Generator(seed);
            using var installed = DropoutRandom.Use(generator);
            rand(1000).Dispose(); // the global generator is not the one drawn from
            using var result = model.Forward(images);
            return result.Features.detach().clone();
        }

        var features = Features(5);
        TensorAssert.Equal(Features(5), features, "the same installed seed draws the same masks");

        // Dropout2d(0.5) on 2 × 32 channels: whole channels are zero, about half of them; another seed drops others.
        var zeroChannels = features.abs().amax([2, 3]).eq(0);
        zeroChannels.to(ScalarType.Float32).mean().item<float>().Should().BeInRange(0.25f, 0.75f);
        Features(6).abs().amax([2, 3]).eq(0).ne(zeroChannels).any().item<bool>().Should().BeTrue();
    }

    [Fact]
    public void Training_SyntheticColourBlocks_LearnsWellAboveChance()
    {
        using var generator = new Generator(123, CPU);
        // Without dropout every draw comes from seeded generators: outside a stage the decoder's dropout draws from the global
        // generator, which concurrently running tests share, and would make the run differ from one execution to the next.
        var options = Options(SyntheticSegmentationTask.ClassCount);
        options.DropoutRate = 0;
        using var model = new CompactSegmentationModel(options);
        using var optimizer = optim.Adam(model.Module.parameters().Where(p => p.requires_grad), lr: 1e-2);
        var losses = new List<double>();
        for (var i = 0; i < 50; i++)
        {
            using var scope = NewDisposeScope();
            var (images, labels) = SyntheticSegmentationTask.Sample(8, 64, 128, generator);
            using var result = model.Forward(images);
            var logits = nn.functional.interpolate(result.Logits, size: [64, 128], mode: InterpolationMode.Bilinear, align_corners: true);
            var loss = nn.functional.cross_entropy(logits, labels);
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            losses.Add(loss.item<float>());
        }

        model.Module.eval();
        using var evalScope = NewDisposeScope();
        var (testImages, testLabels) = SyntheticSegmentationTask.Sample(8, 64, 128, generator);
        double accuracy;
        using (no_grad())
        {
            using var prediction = model.Forward(testImages);
            var up = nn.functional.interpolate(prediction.Logits, size: [64, 128], mode: InterpolationMode.Bilinear, align_corners: true);
            accuracy = up.argmax(1).eq(testLabels).to(ScalarType.Float32).mean().item<float>();
        }

        output.WriteLine(FormattableString.Invariant($"loss {losses[0]:F3} → {losses[^1]:F3}; pixel accuracy {accuracy:P1}"));
        // Training outcomes, not rounding checks. Over twelve seeds and four kernel settings (ISA, thread count) the runs end in
        // one of two states: all four classes separated (accuracy 0.89–0.92, loss down to 0.16–0.18 of its start) or one class
        // not yet separated after 50 steps (0.64–0.73, 0.39–0.41); this seed gives 0.92. The bounds hold in both states, so
        // another CPU's rounding cannot decide the outcome, and still fail a model that does not learn (chance is 0.25).
        losses.TakeLast(5).Average().Should().BeLessThan(0.6 * losses.Take(5).Average());
        accuracy.Should().BeGreaterThan(0.5, "chance is about 0.25");
    }
}
