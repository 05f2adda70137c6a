using DiGA.Core.Translation.Learned;
using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Tests.Translation.Learned;

public sealed class Vgg19FeatureExtractorTests
{
    [Fact]
    public void Extract_RandomWeights_ReturnsFiveReluMapsWithTheReferenceChannels()
    {
        using var scope = NewDisposeScope();
        using var extractor = new Vgg19FeatureExtractor();
        var images = randn(1, 3, 32, 32, generator: new Generator(3)).requires_grad_();

        var features = extractor.Extract(images);

        features.Select(f => f.shape).Should().BeEquivalentTo(
            new[] { new long[] { 1, 64, 32, 32 }, [1, 128, 16, 16], [1, 256, 8, 8], [1, 512, 4, 4], [1, 512, 2, 2] },
            o => o.WithStrictOrdering());
        features.All(f => f.min().item<float>() >= 0f).Should().BeTrue("every slice ends with a ReLU");

        features[4].sum().backward();
        images.grad.Should().NotBeNull("gradients flow back to the images");
        images.grad!.abs().sum().item<float>().Should().BeGreaterThan(0f);
    }

    [Fact]
    public void Constructor_MissingWeights_Throws()
    {
        var act = () => new Vgg19FeatureExtractor("no-such-vgg19.pth");

        act.Should().Throw<FileNotFoundException>().WithMessage("VGG19 weights file 'no-such-vgg19.pth' does not exist.*");
    }
}
