using DiGA.Core.Foundation;
using DiGA.Core.Tests.Helpers;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace DiGA.Core.Tests.Foundation;

/// <summary>
/// Convolutions whose channel counts miss oneDNN's 16-channel block — input gradients for output-channel tails, outputs
/// and gradients for input-channel tails, for which libtorch 2.10's oneDNN returns wrong values or NaN on some x86-64
/// CPUs — checked against float64.
/// </summary>
public sealed class BlockAlignedConvolutionTests
{
    // The float32 gradient sums at most inChannels·k² = 64·49 = 3136 products of O(1) terms; its rounding error stays
    // below √3136·2⁻²⁴·|g|max ≈ 3.3e-6·|g|max in practice and below 3136·2⁻²⁴ ≈ 1.9e-4 in the worst case. The kernel
    // defect gives errors of 10–100 % of |g|max (or NaN), so 1e-4 of |g|max separates the two on any CPU.
    private const double RelativeTolerance = 1e-4;

    [Theory]
    [InlineData(1, 8, 3, 7, 64)]   // the learned translator's output layer (width 8)
    [InlineData(1, 64, 3, 7, 32)]  // the learned translator's output layer (width 64)
    [InlineData(1, 16, 8, 5, 64)]  // its second upsampling layer (width 8)
    [InlineData(8, 64, 19, 3, 16)]
    [InlineData(8, 16, 24, 3, 16)]
    [InlineData(2, 64, 40, 5, 16)]
    public void Forward_OutputChannelTail_GradientsMatchFloat64(int batch, int inChannels, int outChannels, int kernel, int size)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(17);
        using var convolution = Conv2d(inChannels, outChannels, kernel, padding: kernel / 2);
        using (no_grad())
        {
            convolution.weight.copy_(randn(convolution.weight.shape, generator: generator) * 0.1);
            convolution.bias!.copy_(randn(outChannels, generator: generator));
        }

        for (var repetition = 0; repetition < 3; repetition++)
        {
            var input = randn([batch, inChannels, size, size], generator: generator).requires_grad_(true);
            var upstream = randn([batch, outChannels, size, size], generator: generator);
            convolution.zero_grad();

            var output = BlockAlignedConvolution.Forward(convolution, input);
            output.backward([upstream]);

            var input64 = input.detach().to(ScalarType.Float64).requires_grad_(true);
            var weight64 = convolution.weight.detach().to(ScalarType.Float64).requires_grad_(true);
            var output64 = functional.conv2d(input64, weight64, convolution.bias!.detach().to(ScalarType.Float64), padding: [kernel / 2, kernel / 2]);
            output64.backward([upstream.to(ScalarType.Float64)]);

            RelativeError(output, output64).Should().BeLessThan(RelativeTolerance, "the forward pass is the convolution's");
            RelativeError(input.grad!, input64.grad!).Should().BeLessThan(RelativeTolerance, "the input gradient must be correct (repetition {0})", repetition);
            RelativeError(convolution.weight.grad!, weight64.grad!).Should().BeLessThan(RelativeTolerance, "the weight gradient flows to the unpadded weight");
        }
    }

    // The forward kernel reads the padding channels of its channel-blocked copy of the input and weight, which oneDNN
    // 3.7.1 leaves as they were in the reused memory (NaN here, as freed activations may be): outputs are wrong or NaN when
    // the input channels are more than one block and not a multiple of it (16 on AVX-512, 8 on AVX2). On AVX-512 the
    // strided backward-data kernel does the same for input channels padded to an odd multiple of 16 (48, 80, …): its
    // weights are blocked by 32. Observed without the input alignment: every case but the 12-channel one fails on an
    // AVX-512 CPU, and with ONEDNN_MAX_CPU_ISA=AVX2 every case whose input channels are not a multiple of 8.
    [Theory]
    [InlineData(20, 32, 3, 2, 2, 4)]   // MiT-B0 at width 4: the stage-4 patch embedding (the DAFormer tiny run's NaN)
    [InlineData(20, 32, 3, 2, 4, 8)]
    [InlineData(20, 8, 3, 1, 8, 16)]   // an output-channel tail as well
    [InlineData(40, 32, 3, 1, 8, 16)]
    [InlineData(40, 40, 2, 2, 8, 16)]  // a 2×2 spatial reduction
    [InlineData(48, 32, 3, 2, 8, 16)]  // aligned to 16 but strided: only the input gradient is affected
    [InlineData(80, 16, 7, 4, 32, 32)]
    [InlineData(12, 16, 3, 1, 8, 16)]  // a tail of AVX2's 8-channel block
    public void Forward_InputChannelTail_MatchesFloat64(int inChannels, int outChannels, int kernel, int stride, int height, int width)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(29);
        using var convolution = Conv2d(inChannels, outChannels, kernel, stride: stride, padding: kernel / 2);
        for (var repetition = 0; repetition < 3; repetition++)
        {
            var input = randn([2, inChannels, height, width], generator: generator).requires_grad_(true);
            Tensor inferred;
            using (no_grad())
            {
                PoisonFreedMemory(input, outChannels, kernel);
                inferred = BlockAlignedConvolution.Forward(convolution, input);
            }

            convolution.zero_grad();
            PoisonFreedMemory(input, outChannels, kernel);
            var output = BlockAlignedConvolution.Forward(convolution, input);
            var upstream = randn(output.shape, generator: generator);
            output.backward([upstream]);

            var input64 = input.detach().to(ScalarType.Float64).requires_grad_(true);
            var weight64 = convolution.weight.detach().to(ScalarType.Float64).requires_grad_(true);
            var output64 = functional.conv2d(input64, weight64, convolution.bias!.detach().to(ScalarType.Float64), strides: [stride, stride], padding: [kernel / 2, kernel / 2]);
            output64.backward([upstream.to(ScalarType.Float64)]);

            RelativeError(inferred, output64).Should().BeLessThan(RelativeTolerance, "the forward pass without gradient must be the convolution's (repetition {0})", repetition);
            RelativeError(output, output64).Should().BeLessThan(RelativeTolerance, "the forward pass must be the convolution's (repetition {0})", repetition);
            RelativeError(input.grad!, input64.grad!).Should().BeLessThan(RelativeTolerance, "the input gradient must be correct (repetition {0})", repetition);
            RelativeError(convolution.weight.grad!, weight64.grad!).Should().BeLessThan(RelativeTolerance, "the weight gradient must be correct (repetition {0})", repetition);
        }
    }

    // Run as oneDNN convolutions, these 1×1 convolutions on channels-last input stop the process with SIGFPE while
    // libtorch 2.10's oneDNN sets up their backward pass (seen on AVX-512; other CPUs may pick another kernel); they are
    // computed as a matrix product instead.
    [Theory]
    [InlineData(1024, 256)] // the DAFormer decoder's fusion branches (4 × 256 → 256)
    [InlineData(1024, 512)]
    [InlineData(256, 1024)]
    public void Forward_ChannelsLastPointwise_GradientsMatchFloat64(int inChannels, int outChannels)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(23);
        using var convolution = Conv2d(inChannels, outChannels, 1, bias: false);
        using (no_grad())
        {
            convolution.weight.copy_(randn(convolution.weight.shape, generator: generator) * 0.05);
        }

        // A channels-last view [N, C, H, W] of token-major data, as a transposed and reshaped projection is.
        var tokens = randn([2, 16, 16, inChannels], generator: generator).requires_grad_(true);
        var input = tokens.permute(0, 3, 1, 2);
        var upstream = randn([2, outChannels, 16, 16], generator: generator);

        var output = BlockAlignedConvolution.Forward(convolution, input);
        output.backward([upstream]);

        var tokens64 = tokens.detach().to(ScalarType.Float64).requires_grad_(true);
        var output64 = functional.conv2d(tokens64.permute(0, 3, 1, 2), convolution.weight.detach().to(ScalarType.Float64));
        output64.backward([upstream.to(ScalarType.Float64)]);

        RelativeError(output, output64).Should().BeLessThan(RelativeTolerance);
        RelativeError(tokens.grad!, tokens64.grad!).Should().BeLessThan(RelativeTolerance);
    }

    // DeepLabV2's ASPP branches and MiT's Mix-FFN depthwise convolutions run on channels-last input, for which oneDNN
    // picks other kernels (brgemm, brdgmm_dw): dilations close to the map size (as rates 12–24 on a 33×57 map), channel
    // counts on and off the 16-channel block. The sums have at most 512·9 = 4608 products, a typical rounding error of
    // √4608·2⁻²⁴ ≈ 4e-6 of |g|max: RelativeTolerance holds.
    [Theory]
    [InlineData(512, 64, 24, 1, 9, 15)]
    [InlineData(512, 64, 6, 1, 9, 15)]
    [InlineData(40, 19, 12, 1, 13, 17)]
    [InlineData(24, 32, 18, 1, 20, 20)]
    [InlineData(64, 64, 1, 64, 16, 16)]
    [InlineData(40, 40, 1, 40, 12, 10)]
    public void Forward_ChannelsLast3x3_GradientsMatchFloat64(int inChannels, int outChannels, int dilation, int groups, int height, int width)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(29);
        using var convolution = Conv2d(inChannels, outChannels, 3, padding: dilation, dilation: dilation, groups: groups);
        using (no_grad())
        {
            convolution.weight.copy_(randn(convolution.weight.shape, generator: generator) * 0.05);
            convolution.bias!.copy_(randn(outChannels, generator: generator));
        }

        for (var repetition = 0; repetition < 3; repetition++)
        {
            var pixels = randn([2, height, width, inChannels], generator: generator).requires_grad_(true);
            var upstream = randn([2, outChannels, height, width], generator: generator);
            convolution.zero_grad();

            var output = BlockAlignedConvolution.Forward(convolution, pixels.permute(0, 3, 1, 2));
            output.backward([upstream]);

            var pixels64 = pixels.detach().to(ScalarType.Float64).requires_grad_(true);
            var weight64 = convolution.weight.detach().to(ScalarType.Float64).requires_grad_(true);
            var output64 = functional.conv2d(
                pixels64.permute(0, 3, 1, 2), weight64, convolution.bias!.detach().to(ScalarType.Float64), padding: [dilation, dilation], dilation: [dilation, dilation], groups: groups);
            output64.backward([upstream.to(ScalarType.Float64)]);

            RelativeError(output, output64).Should().BeLessThan(RelativeTolerance, "the forward pass must be the convolution's (repetition {0})", repetition);
            RelativeError(pixels.grad!, pixels64.grad!).Should().BeLessThan(RelativeTolerance, "the input gradient must be correct (repetition {0})", repetition);
            RelativeError(convolution.weight.grad!, weight64.grad!).Should().BeLessThan(RelativeTolerance, "the weight gradient must be correct (repetition {0})", repetition);
        }
    }

    [Fact]
    public void Forward_AlignedOutputChannels_IsThePlainConvolution()
    {
        using var scope = NewDisposeScope();
        using var convolution = Conv2d(8, 16, 3, padding: 1);
        var input = randn([2, 8, 12, 12], generator: new Generator(3)).requires_grad_(true);

        var output = BlockAlignedConvolution.Forward(convolution, input);

        // Same module, same input, same kernel: the call is forwarded unchanged, so the results are identical.
        TensorAssert.Equal(output, convolution.forward(input));
    }

    [Fact]
    public void Forward_Sequence_RunsEveryLayerInOrder()
    {
        using var scope = NewDisposeScope();
        using var layers = Sequential(Conv2d(4, 3, 3, padding: 1), ReLU(), Conv2d(3, 5, 1));
        var input = randn([1, 4, 8, 8], generator: new Generator(5)).requires_grad_(true);

        var output = BlockAlignedConvolution.Forward(layers, input);

        // Padding the first layer's filters to 16 changes which kernel computes its three channels, not their sums'
        // terms: float32 rounding of 36-term sums, below 1e-5 of values of order 1.
        var expected = layers.forward(input);
        (output - expected).abs().max().item<float>().Should().BeLessThan(1e-5f);
    }

    [Fact]
    public void EnsureApplied_TurnsOffNnpackOnThisLibtorch()
    {
        LibTorchSettings.EnsureApplied().Should().BeTrue("libtorch 2.10 exports at::Context::setUserEnabledNNPACK on every platform TorchSharp ships");
    }

    /// <summary>Frees NaN-filled blocks of the sizes the next convolution allocates, so that memory it leaves uninitialised holds NaN.</summary>
    private static void PoisonFreedMemory(Tensor input, int outChannels, int kernel)
    {
        var sizes = new[] { input.numel(), input.numel() * 2, 64L * outChannels * kernel * kernel, input.shape[0] * 64L * input.shape[2] * input.shape[3], 1L << 16 };
        foreach (var size in sizes)
        {
            full([size], float.NaN).Dispose();
        }
    }

    private static double RelativeError(Tensor actual, Tensor expected)
    {
        using var scope = NewDisposeScope();
        var difference = (actual.to(ScalarType.Float64) - expected).abs().max().item<double>();
        return double.IsNaN(difference) ? double.PositiveInfinity : difference / expected.abs().max().item<double>();
    }
}
