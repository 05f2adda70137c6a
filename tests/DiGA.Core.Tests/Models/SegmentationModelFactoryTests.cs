using DiGA.Core.Models;
using DiGA.Core.Models.Compact;
using DiGA.Core.Models.DeepLab;

namespace DiGA.Core.Tests.Models;

public sealed class SegmentationModelFactoryTests
{
    [Fact]
    public void Create_Compact_BuildsConfiguredModel()
    {
        using var model = SegmentationModelFactory.Create(new SegmentationModelOptions
        {
            Architecture = SegmentationArchitecture.Compact,
            ClassNames = ["a", "b"],
            FeatureChannels = 48,
            Normalization = InputNormalizationPreset.ImageNet,
            Device = "cpu",
        });
        model.Should().BeOfType<CompactSegmentationModel>();
        model.Info.Should().BeEquivalentTo(new SegmentationModelInfo("compact", ["a", "b"], 48, 8, ImageNormalization.ImageNet));
    }

    [Fact]
    public void Create_DeepLabResNet50_BuildsConfiguredModel()
    {
        using var model = SegmentationModelFactory.Create(new SegmentationModelOptions
        {
            Architecture = SegmentationArchitecture.DeepLabV2ResNet50,
            BackboneWidth = 4,
            FeatureChannels = 32,
            Device = "cpu",
        });
        model.Should().BeOfType<DeepLabV2>().Which.Options.Depth.Should().Be(50);
        model.Info.Architecture.Should().Be("deeplabv2-resnet50");
        model.Info.ClassCount.Should().Be(19);
        model.Info.Normalization.Should().Be(ImageNormalization.Reference);
    }

    [Theory]
    [InlineData("deeplabv2-resnet101", SegmentationArchitecture.DeepLabV2ResNet101)]
    [InlineData("DeepLabV2-ResNet50", SegmentationArchitecture.DeepLabV2ResNet50)]
    [InlineData("compact", SegmentationArchitecture.Compact)]
    [InlineData("Compact", SegmentationArchitecture.Compact)]
    public void ParseArchitecture_KnownNames_RoundTripWithGetName(string name, SegmentationArchitecture expected)
    {
        SegmentationModelFactory.ParseArchitecture(name).Should().Be(expected);
        SegmentationModelFactory.ParseArchitecture(SegmentationModelFactory.GetName(expected)).Should().Be(expected);
    }

    [Fact]
    public void ParseArchitecture_UnknownName_ThrowsListingTheChoices()
    {
        FluentActions.Invoking(() => SegmentationModelFactory.ParseArchitecture("unet"))
            .Should().Throw<ArgumentException>().WithMessage("*'unet'*deeplabv2-resnet101*compact*");
    }
}
