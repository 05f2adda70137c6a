using DiGA.Core.Translation.Learned;
using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Tests.Translation.Learned;

public sealed class TranslatorNetworksTests
{
    [Fact]
    public void Discriminator_Forward_ReturnsThreeScalesOfPatchScores()
    {
        using var scope = NewDisposeScope();
        using var discriminator = new MultiScaleDiscriminator(width: 8);

        var outputs = discriminator.forward(randn(2, 3, 64, 128, generator: new Generator(1)));

        outputs.Should().HaveCount(3);
        outputs[0].shape.Should().Equal(2, 1, 4, 8);
        outputs[1].shape.Should().Equal(2, 1, 2, 4);
        outputs[2].shape.Should().Equal(2, 1, 1, 2);
    }

    [Fact]
    public void EncoderDecoder_Forward_KeepsTheImageSizeWithinTanhRange()
    {
        using var scope = NewDisposeScope();
        using var encoder = new ImageEncoder(width: 8);
        using var decoder = new ImageDecoder(width: 8);

        var code = encoder.forward(randn(2, 3, 32, 48, generator: new Generator(2)));
        var image = decoder.forward(code);

        code.shape.Should().Equal(2, 32, 8, 12);
        image.shape.Should().Equal(2, 3, 32, 48);
        image.abs().max().item<float>().Should().BeLessThanOrEqualTo(1f);
    }

    [Fact]
    public void StateDictKeys_FollowTheReferenceModuleStructure()
    {
        using var encoder = new ImageEncoder(width: 8);
        using var decoder = new ImageDecoder(width: 8);
        using var discriminator = new MultiScaleDiscriminator(width: 8);

        var encoderKeys = encoder.state_dict().Keys.ToList();
        var decoderKeys = decoder.state_dict().Keys.ToList();
        var discriminatorKeys = discriminator.state_dict().Keys.ToList();

        encoderKeys.Should().HaveCount(6 + 16).And.Contain(["model.0.conv.weight", "model.2.conv.bias", "model.3.model.3.model.1.conv.weight"]);
        decoderKeys.Should().HaveCount(16 + 6).And.Contain(["model.0.model.0.model.0.conv.weight", "model.2.conv.weight", "model.4.conv.bias", "model.5.conv.weight"]);
        discriminatorKeys.Should().HaveCount(3 * 6).And.Contain(["cnns.0.0.conv.weight", "cnns.2.3.conv.weight", "cnns.1.4.weight", "cnns.1.4.bias"])
            .And.NotContain("cnns.0.0.conv.bias");
    }
}
