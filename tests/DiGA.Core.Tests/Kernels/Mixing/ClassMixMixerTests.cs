using DiGA.Core.Kernels.Mixing;
using DiGA.Core.Tests.Fixtures.kernels;
using DiGA.Core.Tests.Helpers;
using static TorchSharp.torch;

namespace DiGA.Core.Tests.Kernels.Mixing;

public sealed class ClassMixMixerTests
{
    [Fact]
    public void ComposeImages_GivenFixedMask_MatchesReference()
    {
        using var scope = NewDisposeScope();
        using var fixture = KernelFixture.Load("classmix");

        var images = ClassMixMask.ComposeImages(fixture.Bool("mask"), fixture["foreground"], fixture["background"]);

        // Exact by construction on both sides: the fixture's m·fg + (1 − m)·bg and the library's lerp with weights m ∈ {0, 1}
        // each return one of the two inputs unchanged (x·1 + y·0 = x), so this is a pure selection.
        TensorAssert.Equal(images, fixture["images"]);
    }

    [Fact]
    public void Mix_WithBackgroundLabels_ComposesImagesAndLabelsThroughItsMask()
    {
        using var scope = NewDisposeScope();
        using var fixture = KernelFixture.Load("classmix");
        var arguments = new CrossDomainMixArguments(fixture["foreground"], fixture["foreground_labels"], fixture["background"], new Generator(3))
        {
            BackgroundLabels = fixture["background_labels"],
        };

        using var mixed = new ClassMixMixer().Mix(arguments);

        // Selections through the mixer's own mask: exact.
        var mask = mixed.Mask;
        TensorAssert.Equal(mixed.Images, where(mask.unsqueeze(1), fixture["foreground"], fixture["background"]));
        TensorAssert.Equal(mixed.Labels!, where(mask, fixture["foreground_labels"], fixture["background_labels"]));
        TensorAssert.Equal(mask.logical_and(fixture["foreground_labels"].eq(255)), fixture["foreground_labels"].eq(255));
    }

    [Fact]
    public void Mix_AllIgnoreForeground_KeepsTheWholeForegroundWithEveryLabelIgnored()
    {
        using var scope = NewDisposeScope();
        var foreground = randn([3, 3, 4, 5], generator: new Generator(1));
        var background = randn([3, 3, 4, 5], generator: new Generator(2));
        var foregroundLabels = full([3, 4, 5], 255L, ScalarType.Int64);
        foregroundLabels[1] = randint(0, 6, [4, 5], generator: new Generator(3), dtype: ScalarType.Int64);   // one labelled image
        var backgroundLabels = randint(0, 6, [3, 4, 5], generator: new Generator(4), dtype: ScalarType.Int64);

        // Nothing to draw from U = {255}: ⌊1/2⌋ = 0 classes, plus the ignore region, which is the whole image. The mix of an
        // all-ignore image is that image itself, labelled 255 everywhere, whatever the rest of the batch holds.
        foreach (var seed in new ulong[] { 5, 6, 7 })
        {
            using var mixed = new ClassMixMixer().Mix(new CrossDomainMixArguments(foreground, foregroundLabels, background, new Generator(seed)) { BackgroundLabels = backgroundLabels });

            foreach (var b in new[] { 0, 2 })
            {
                mixed.Mask[b].all().item<bool>().Should().BeTrue();
                TensorAssert.Equal(mixed.Images[b], foreground[b]);
                mixed.Labels![b].eq(255).all().item<bool>().Should().BeTrue();
            }

            mixed.Mask[1].all().item<bool>().Should().BeFalse("the labelled image pastes only half of its classes");
        }
    }

    [Fact]
    public void Mix_WithoutBackgroundLabels_ReturnsNoLabels()
    {
        using var scope = NewDisposeScope();
        using var fixture = KernelFixture.Load("classmix");

        using var mixed = new ClassMixMixer().Mix(new CrossDomainMixArguments(fixture["foreground"], fixture["foreground_labels"], fixture["background"], new Generator(3)));

        mixed.Labels.Should().BeNull();
        mixed.Images.shape.Should().Equal(2, 3, 4, 5);
    }

    [Fact]
    public void Mix_WithoutGenerator_Throws()
    {
        using var scope = NewDisposeScope();
        var images = zeros(1, 3, 2, 2);
        var act = () => new ClassMixMixer().Mix(new CrossDomainMixArguments(images, zeros(new long[] { 1, 2, 2 }, ScalarType.Int64), images, null));

        act.Should().Throw<ArgumentException>().WithMessage("*generator*");
    }
}
