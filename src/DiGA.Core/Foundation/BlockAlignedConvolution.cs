using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiGA.Core.Foundation;

/// <summary>
/// Runs the library's 2-D convolutions so that their outputs and gradients are correct on every x86-64 CPU.
/// </summary>
/// <remarks>
/// libtorch 2.10 ships oneDNN 3.7.1, whose direct JIT convolution kernel (<c>jit:avx512_core</c>, <c>jit:avx2</c>)
/// computes wrong input gradients — sometimes NaN, from uninitialised memory — for stride-1 convolutions with a kernel
/// larger than 1×1 when the output-channel count is not a multiple of its 16-channel block (8 on AVX2). The forward pass
/// and the weight gradient are correct. On CPU, when the input needs a gradient, such a convolution is computed with its
/// weight padded by zero filters to a multiple of 16 output channels and the extra channels dropped: the result and every
/// gradient are the convolution's own, and oneDNN then picks a kernel without a channel tail.
/// <para>The same kernel also reads the padding channels of its channel-blocked copies of an NCHW input and of the weight
/// (reorders to <c>aBcd16b</c> and <c>ABcd16b16a</c> on AVX-512), which this oneDNN build does not clear: when the
/// input-channel count is above the block and not a multiple of it (above 16 on AVX-512, above 8 on AVX2; 20 in MiT-B0 at
/// width 4, its stage-4 patch embedding), the forward output is wrong or NaN whenever the reused memory holds non-zero
/// values or NaN, with or without gradients. On AVX-512 the strided backward-data kernel (<c>brgconv_strided</c>, weights
/// blocked by 32) does the same when the input channels fill an odd number of 16-channel blocks (33 … 48, 80, …). On CPU
/// such a convolution (more than 8 input channels, input not channels-last: that layout takes other kernels, which are
/// correct) gets its input and weight padded by zero channels to a multiple of 16, or of 32 for a strided convolution
/// whose input needs a gradient; the added channels contribute exact zeros to every sum and receive gradients that are
/// dropped. Everywhere else the convolution runs unchanged.</para>
/// <para>The same oneDNN build stops the process with SIGFPE (an integer division by zero in the blocking heuristic of
/// its <c>brgemm_1x1</c> kernel) when it sets up the backward-data pass of some 1×1 convolutions whose input is in
/// channels-last layout: for example 1024 → 256 and 1024 → 512 channels, as in the DAFormer decoder's fusion branches,
/// whose input is the concatenation of channels-last token projections. A 1×1 convolution (stride 1, no padding, one
/// group) of a channels-last input is therefore computed as what it is, a matrix product over the channel dimension
/// (<c>linear</c> on the <c>[N, H, W, C]</c> view, channels-last output): no oneDNN kernel, and no reorder of the input
/// to NCHW and to oneDNN's blocked layout and back, which cost more than the product itself for SegFormer's 3072 → 768
/// fusion at 128×128.</para>
/// </remarks>
internal static class BlockAlignedConvolution
{
    /// <summary>The channel block of oneDNN's widest CPU kernels (AVX-512: 16 float32 lanes).</summary>
    public const int ChannelBlock = 16;

    /// <summary>The channel block of oneDNN's narrowest blocked CPU kernels (AVX2: 8 float32 lanes); fewer input channels take an unblocked kernel.</summary>
    public const int NarrowChannelBlock = 8;

    /// <summary>Runs <paramref name="convolution"/> on <paramref name="input"/>.</summary>
    /// <param name="convolution">A convolution with zero padding mode (pad explicitly before it for other modes).</param>
    /// <param name="input">The input <c>[N, C, H, W]</c>; not disposed.</param>
    /// <returns>A fresh output tensor, owned by the caller.</returns>
    public static Tensor Forward(Conv2d convolution, Tensor input)
    {
        if (IsChannelsLast(input) && IsPointwise(convolution))
        {
            using var scope1x1 = NewDisposeScope();
            var product = nn.functional.linear(input.permute(0, 2, 3, 1), convolution.weight!.flatten(1), convolution.bias);
            return product.permute(0, 3, 1, 2).MoveToOuterDisposeScope();
        }

        var cpu = input.device_type == DeviceType.CPU;
        var cpuInputGradient = cpu && input.requires_grad && is_grad_enabled();
        var aligned = cpu
            && convolution.groups == 1
            && convolution.kernel_size.Any(k => k > 1)
            && convolution.padding_mode == PaddingModes.Zeros
            && convolution.padding_type is null;
        var outputs = convolution.out_channels;
        var outputExtra = aligned && cpuInputGradient ? Tail(outputs, ChannelBlock) : 0;
        var inputs = convolution.in_channels;
        var inputBlock = cpuInputGradient && convolution.stride.Any(s => s > 1) ? 2 * ChannelBlock : ChannelBlock;
        var inputExtra = aligned && inputs > NarrowChannelBlock && !IsChannelsLast(input) ? Tail(inputs, inputBlock) : 0;
        if (outputExtra == 0 && inputExtra == 0)
        {
            return convolution.forward(input);
        }

        using var scope = NewDisposeScope();
        Tensor weight = convolution.weight!;
        Tensor? bias = convolution.bias;
        if (outputExtra > 0)
        {
            weight = cat([weight, zeros([outputExtra, .. weight.shape[1..]], weight.dtype, weight.device)]);
            bias = bias is null ? null : cat([bias, zeros(outputExtra, bias.dtype, bias.device)]);
        }

        if (inputExtra > 0)
        {
            weight = cat([weight, zeros([weight.shape[0], inputExtra, .. weight.shape[2..]], weight.dtype, weight.device)], 1);
            input = cat([input, zeros([input.shape[0], inputExtra, .. input.shape[2..]], input.dtype, input.device)], 1);
        }

        var output = nn.functional.conv2d(input, weight, bias, convolution.stride, convolution.padding, convolution.dilation, convolution.groups);
        return (outputExtra > 0 ? output.narrow(1, 0, outputs) : output).MoveToOuterDisposeScope();
    }

    /// <summary>Runs a sequence of layers, its convolutions through <see cref="Forward(Conv2d, Tensor)"/>.</summary>
    /// <param name="layers">The layers, each mapping one tensor to one tensor.</param>
    /// <param name="input">The input; not disposed.</param>
    /// <returns>A fresh output tensor, owned by the caller.</returns>
    public static Tensor Forward(Sequential layers, Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input;
        foreach (var layer in layers.children())
        {
            x = layer is Conv2d convolution ? Forward(convolution, x) : ((nn.Module<Tensor, Tensor>)layer).forward(x);
        }

        return (ReferenceEquals(x, input) ? x.alias() : x).MoveToOuterDisposeScope();
    }

    /// <summary>The number of zero channels that fill <paramref name="channels"/> up to a multiple of <paramref name="block"/>.</summary>
    private static long Tail(long channels, int block) => channels % block == 0 ? 0 : block - (channels % block);

    /// <summary>A channels-last copy of <paramref name="input"/> <c>[N, C, H, W]</c>: the same shape, channels innermost in memory.</summary>
    /// <param name="input">The tensor; not disposed.</param>
    /// <returns>A fresh tensor (a view of a new NHWC buffer) in the caller's dispose scope.</returns>
    public static Tensor ChannelsLast(Tensor input)
    {
        using var pixels = input.permute(0, 2, 3, 1).contiguous();
        return pixels.permute(0, 3, 1, 2);
    }

    /// <summary>Whether <paramref name="convolution"/> is a plain 1×1 convolution: stride 1, no padding, one group.</summary>
    private static bool IsPointwise(Conv2d convolution) =>
        convolution.groups == 1
        && convolution.kernel_size.All(k => k == 1)
        && convolution.stride.All(s => s == 1)
        && convolution.padding_type is null
        && (convolution.padding?.All(p => p == 0) ?? true);

    /// <summary>Whether <paramref name="input"/> <c>[N, C, H, W]</c> (C &gt; 1) has channels as its innermost dimension, as channels-last tensors do.</summary>
    private static bool IsChannelsLast(Tensor input) => input.shape[1] > 1 && input.stride(1) == 1 && !input.is_contiguous();
}
