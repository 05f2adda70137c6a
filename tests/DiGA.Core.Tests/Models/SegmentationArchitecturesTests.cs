using System.Text.Json.Nodes;
using DiGA.Core.Labels;
using DiGA.Core.Models;
using DiGA.Core.Models.Architectures;
using DiGA.Core.Models.Compact;
using DiGA.Core.Models.DeepLab;
using Microsoft.Extensions.Logging;

namespace DiGA.Core.Tests.Models;

public sealed class SegmentationArchitecturesTests
{
    [Fact]
    public void Create_Compact_BuildsConfiguredModel()
    {
        using var model = SegmentationArchitectures.Create(new SegmentationModelOptions
        {
            Architecture = CompactArchitecture.Name,
            ClassNames = ["a", "b"],
            FeatureChannels = 48,
            Normalization = InputNormalizationPreset.ImageNet,
            Device = "cpu",
        });
        model.Should().BeOfType<CompactSegmentationModel>();
        model.Info.Should().BeEquivalentTo(new SegmentationModelInfo("compact", ["a", "b"], 48, 2, ImageNormalization.ImageNet));
        model.Device.type.Should().Be(TorchSharp.DeviceType.CPU);
    }

    [Fact]
    public void Create_CompactWithAnotherOutputStride_ThrowsNamingItsOwn()
    {
        FluentActions.Invoking(() => SegmentationArchitectures.Create(new SegmentationModelOptions { Architecture = CompactArchitecture.Name, OutputStride = 8, Device = "cpu" }))
            .Should().Throw<ArgumentException>().WithMessage("*OutputStride 8*output stride 2*");
    }

    [Fact]
    public void Create_DeepLabResNet50_BuildsConfiguredModel()
    {
        using var model = SegmentationArchitectures.Create(new SegmentationModelOptions
        {
            Architecture = "DeepLabV2-ResNet50",
            BackboneWidth = 4,
            FeatureChannels = 32,
            Device = "cpu",
        });
        model.Should().BeOfType<DeepLabV2>().Which.Options.Depth.Should().Be(50);
        model.Info.Architecture.Should().Be(DeepLabV2Architecture.ResNet50);
        model.Info.ClassCount.Should().Be(LabelSpace.Cityscapes19.ClassCount);
        model.Info.Normalization.Should().Be(ImageNormalization.Reference);
    }

    [Theory]
    [InlineData("deeplabv2-resnet101")]
    [InlineData("deeplabv2-resnet50")]
    [InlineData("compact")]
    public void Get_BuiltInNames_FindTheArchitectureThatBuildsThem(string name)
    {
        SegmentationArchitectures.Names.Should().Contain(name);
        SegmentationArchitectures.Get(name.ToUpperInvariant()).Names.Should().Contain(name);
    }

    [Fact]
    public void Get_UnknownName_ThrowsListingTheRegisteredOnes()
    {
        FluentActions.Invoking(() => SegmentationArchitectures.Get("unet"))
            .Should().Throw<ArgumentException>().WithMessage("*'unet'*compact*deeplabv2-resnet101*");
    }

    [Fact]
    public void Register_NameOfAnotherArchitecture_Throws()
    {
        FluentActions.Invoking(() => SegmentationArchitectures.Register(new NamedLike("compact")))
            .Should().Throw<ArgumentException>().WithMessage("*'compact'*already registered*");
    }

    [Fact]
    public void Register_NewArchitecture_IsFoundAndBuildsThroughTheRegistry()
    {
        var name = $"wrapped-compact-{Guid.NewGuid():N}";
        SegmentationArchitectures.Register(new NamedLike(name));

        using var model = SegmentationArchitectures.Create(new SegmentationModelOptions { Architecture = name, ClassNames = ["a", "b"], Device = "cpu" });

        model.Info.ClassCount.Should().Be(2);
        SegmentationArchitectures.Get(name).Should().BeOfType<NamedLike>();
    }

    /// <summary>An architecture under another name that builds compact models (enough to exercise the registry).</summary>
    private sealed class NamedLike(string name) : SegmentationArchitecture
    {
        public override IReadOnlyList<string> Names { get; } = [name];

        public override ISegmentationModel Create(string architecture, SegmentationModelOptions options, ILoggerFactory? loggerFactory = null) =>
            CompactArchitecture.Instance.Create(CompactArchitecture.Name, options, loggerFactory);

        public override JsonObject Describe(ISegmentationModel model) => CompactArchitecture.Instance.Describe(model);

        public override ISegmentationModel Rebuild(JsonObject description, string device) => CompactArchitecture.Instance.Rebuild(description, device);
    }
}
