using DiGA.Core.Data;
using DiGA.Core.Data.Transforms;

namespace DiGA.Core.Tests.Data.Transforms;

public class JointTransformTests
{
    // Image channels encode (x, y); the label encodes the same pixel coordinates as (x + 7·y) mod 250.
    private static SegmentationSample Coordinates(int width, int height)
    {
        var image = new byte[width * height * 3];
        var label = new byte[width * height];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var i = (y * width) + x;
                image[3 * i] = (byte)x;
                image[(3 * i) + 1] = (byte)y;
                image[(3 * i) + 2] = 99;
                label[i] = (byte)((x + (7 * y)) % 250);
            }
        }

        return new SegmentationSample("coords", width, height, image, label);
    }

    private static void AssertAligned(SegmentationSample s)
    {
        for (var i = 0; i < s.Width * s.Height; i++)
        {
            s.Label![i].Should().Be((byte)((s.Image[3 * i] + (7 * s.Image[(3 * i) + 1])) % 250));
        }
    }

    [Fact]
    public void RandomHorizontalFlip_FlipsImageAndLabelTogether()
    {
        var input = Coordinates(20, 10);
        var flips = 0;
        for (var seed = 0; seed < 20; seed++)
        {
            var output = new RandomHorizontalFlip().Apply(input, new Random(seed));
            AssertAligned(output);
            if (output.Image[0] == 19)
            {
                flips++;
            }
        }

        flips.Should().BeInRange(3, 17, "about half of the draws flip");
    }

    [Fact]
    public void RandomCrop_LargerInput_CropsAnAlignedWindow()
    {
        var input = Coordinates(40, 20);
        var origins = new HashSet<(int, int)>();
        for (var seed = 0; seed < 10; seed++)
        {
            var output = new RandomCrop(8, 16).Apply(input, new Random(seed));
            output.Width.Should().Be(16);
            output.Height.Should().Be(8);
            AssertAligned(output);
            origins.Add((output.Image[0], output.Image[1]));
            output.Image[0].Should().BeLessThanOrEqualTo(24);
            output.Image[1].Should().BeLessThanOrEqualTo(12);
        }

        origins.Count.Should().BeGreaterThan(1);
    }

    [Fact]
    public void RandomCrop_SmallerInput_ResizesTheWholeSampleInstead()
    {
        var output = new RandomCrop(24, 48).Apply(Coordinates(40, 20), new Random(0));
        output.Width.Should().Be(48);
        output.Height.Should().Be(24);
        output.Image[0].Should().Be(0);
        output.Label![^1].Should().Be((byte)((39 + (7 * 19)) % 250), "the bottom-right label pixel is the last source pixel (nearest)");
    }

    [Fact]
    public void RandomSizedCropAndResize_KeepImageAndLabelApproximatelyAligned()
    {
        // Label = x here, so the bilinear/bicubic image channel R (≈ x) must agree with the nearest label within the scale.
        var input = Coordinates(64, 32);
        var label = new byte[64 * 32];
        for (var i = 0; i < label.Length; i++)
        {
            label[i] = input.Image[3 * i];
        }

        var sample = new SegmentationSample("x", 64, 32, input.Image, label);
        IJointTransform[] transforms = [new RandomSizedCrop(16, 32), new Resize(20, 40), new Resize(48, 96)];
        foreach (var transform in transforms)
        {
            for (var seed = 0; seed < 5; seed++)
            {
                var output = transform.Apply(sample, new Random(seed));
                var within = Enumerable.Range(0, output.Width * output.Height).Count(i => Math.Abs(output.Image[3 * i] - output.Label![i]) <= 2);
                within.Should().BeGreaterThan((int)(0.95 * output.Width * output.Height), $"{transform.GetType().Name} seed {seed}");
            }
        }
    }

    [Fact]
    public void RandomSizedCrop_ShorterThanTheCropAfterTheRescale_ResizesTheWholeSampleToTheCrop()
    {
        // The reference's low-resolution Cityscapes view at 1/16 scale: 32×64 (512×1024) with a 32×56 crop (512×896).
        // The rescaled height int(U(0.7, 1)·32) is below 32, so the whole rescaled image is resized to 32×56, not cropped.
        var input = Coordinates(64, 32);
        for (var seed = 0; seed < 8; seed++)
        {
            var output = new RandomSizedCrop(32, 56).Apply(input, new Random(seed));
            output.Width.Should().Be(56);
            output.Height.Should().Be(32);
            output.Label![0].Should().Be(0, "the top-left pixel of the whole image is kept");
            output.Label[^1].Should().Be((byte)((63 + (7 * 31)) % 250), "the bottom-right pixel of the whole image is kept");
        }
    }

    [Fact]
    public void RandomSizedCrop_SameSeed_IsDeterministic()
    {
        var input = Coordinates(64, 32);
        var pipeline = JointTransformPipeline.FlipAndCrop(16, 32, randomScale: true);
        var a = pipeline.Apply(input, new Random(5));
        var b = pipeline.Apply(input, new Random(5));
        a.Image.Should().Equal(b.Image);
        a.Label.Should().Equal(b.Label);
    }

    [Fact]
    public void Resize_Downscale_IsAntialiased()
    {
        // Alternating 0/255 columns average to ≈127 under an area-aware filter (a point sampler would keep 0 or 255).
        var image = new byte[32 * 4 * 3];
        for (var i = 0; i < 32 * 4; i++)
        {
            image[3 * i] = image[(3 * i) + 1] = image[(3 * i) + 2] = (byte)(i % 2 == 0 ? 0 : 255);
        }

        var output = new Resize(4, 8).Apply(new SegmentationSample("stripes", 32, 4, image, null), new Random(0));
        output.Image.Should().OnlyContain(v => v > 100 && v < 155);
    }

    [Fact]
    public void SourceRejectionSampling_RejectsUniformCropsAndStopsAtTheFirstPass()
    {
        SourceRejectionSampling.Passes(Enumerable.Repeat((byte)0, 100).ToArray(), 0.02).Should().BeFalse();
        SourceRejectionSampling.Passes([.. Enumerable.Repeat((byte)0, 50), .. Enumerable.Repeat((byte)1, 50)], 0.02).Should().BeTrue();
        SourceRejectionSampling.Passes([.. Enumerable.Repeat((byte)0, 50), .. Enumerable.Repeat((byte)255, 50)], 0.02).Should().BeFalse();
        SourceRejectionSampling.Passes([.. Enumerable.Repeat((byte)0, 40), .. Enumerable.Repeat((byte)1, 40), .. Enumerable.Repeat((byte)255, 20)], 0.02).Should().BeTrue();
        SourceRejectionSampling.Passes([.. Enumerable.Repeat((byte)0, 98), 1, 2], 0.02).Should().BeFalse("1 % of a value does not count");

        // Left half one class, right half two classes: only crops on the right pass.
        var label = new byte[40 * 10];
        for (var i = 0; i < label.Length; i++)
        {
            var x = i % 40;
            label[i] = (byte)(x < 20 ? 0 : (i / 40) < 5 ? 1 : 2);
        }

        var sample = new SegmentationSample("half", 40, 10, new byte[40 * 10 * 3], label);
        var counting = new CountingTransform(new RandomCrop(10, 10));
        var result = new SourceRejectionSampling(counting, maxAttempts: 5).Apply(sample, new Random(1));
        counting.Calls.Should().BeInRange(1, 5);
        if (counting.Calls < 5)
        {
            SourceRejectionSampling.Passes(result.Label, 0.02).Should().BeTrue();
        }
    }

    private sealed class CountingTransform(IJointTransform inner) : IJointTransform
    {
        public int Calls { get; private set; }

        public SegmentationSample Apply(SegmentationSample sample, Random random)
        {
            Calls++;
            return inner.Apply(sample, random);
        }
    }
}
