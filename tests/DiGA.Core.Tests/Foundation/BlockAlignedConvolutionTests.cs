using DiGA.Core.Foundation;
using DiGA.Core.Tests.Helpers;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace DiGA.Core.Tests.Foundation;

/// <summary>
/// Input gradients of convolutions whose output channels are not a multiple of 16 — the case for which libtorch 2.10's
/// oneDNN backward-data kernel returns wrong values or NaN on some x86-64 CPUs — checked against float64.
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

    // Without the contiguous input, libtorch 2.10's oneDNN stops the process with SIGFPE while setting up the backward
    // pass of these 1×1 convolutions on channels-last input (seen on AVX-512; other CPUs may pick another kernel).
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

    private static double RelativeError(Tensor actual, Tensor expected)
    {
        using var scope = NewDisposeScope();
        var difference = (actual.to(ScalarType.Float64) - expected).abs().max().item<double>();
        return double.IsNaN(difference) ? double.PositiveInfinity : difference / expected.abs().max().item<double>();
    }
}
