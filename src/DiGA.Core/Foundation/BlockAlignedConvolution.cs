using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiGA.Core.Foundation;

/// <summary>
/// Runs the library's 2-D convolutions so that their input gradients are correct on every x86-64 CPU.
/// </summary>
/// <remarks>
/// libtorch 2.10 ships oneDNN 3.7.1, whose direct JIT convolution kernel (<c>jit:avx512_core</c>, <c>jit:avx2</c>)
/// computes wrong input gradients — sometimes NaN, from uninitialised memory — for stride-1 convolutions with a kernel
/// larger than 1×1 when the output-channel count is not a multiple of its 16-channel block (8 on AVX2). The forward pass
/// and the weight gradient are correct. On CPU, when the input needs a gradient, such a convolution is computed with its
/// weight padded by zero filters to a multiple of 16 output channels and the extra channels dropped: the result and every
/// gradient are the convolution's own, and oneDNN then picks a kernel without a channel tail. Everywhere else the
/// convolution runs unchanged.
/// <para>The same oneDNN build stops the process with SIGFPE (an integer division by zero in the blocking heuristic of
/// its <c>brgemm_1x1</c> kernel) when it sets up the backward-data pass of some 1×1 convolutions whose input is in
/// channels-last layout: for example 1024 → 256 and 1024 → 512 channels, as in the DAFormer decoder's fusion branches,
/// whose input is the concatenation of channels-last token projections. On CPU, when the input needs a gradient, a
/// 1×1 convolution therefore receives a channels-last input in the default contiguous (NCHW) layout, for which oneDNN
/// picks another kernel; the values are the same. Inputs in any other layout run unchanged.</para>
/// </remarks>
internal static class BlockAlignedConvolution
{
    /// <summary>The output-channel block of oneDNN's widest CPU kernels (AVX-512: 16 float32 lanes).</summary>
    public const int OutputChannelBlock = 16;

    /// <summary>Runs <paramref name="convolution"/> on <paramref name="input"/>.</summary>
    /// <param name="convolution">A convolution with zero padding mode (pad explicitly before it for other modes).</param>
    /// <param name="input">The input <c>[N, C, H, W]</c>; not disposed.</param>
    /// <returns>A fresh output tensor, owned by the caller.</returns>
    public static Tensor Forward(Conv2d convolution, Tensor input)
    {
        var cpuInputGradient = input.device_type == DeviceType.CPU && input.requires_grad && is_grad_enabled();
        if (cpuInputGradient && convolution.kernel_size.All(k => k == 1) && IsChannelsLast(input))
        {
            using var scope1x1 = NewDisposeScope();
            return convolution.forward(input.contiguous()).MoveToOuterDisposeScope();
        }

        var outputs = convolution.out_channels;
        var needsAlignment = cpuInputGradient
            && convolution.groups == 1
            && outputs % OutputChannelBlock != 0
            && convolution.kernel_size.Any(k => k > 1)
            && convolution.padding_mode == PaddingModes.Zeros
            && convolution.padding_type is null;
        if (!needsAlignment)
        {
            return convolution.forward(input);
        }

        using var scope = NewDisposeScope();
        var extra = OutputChannelBlock - (outputs % OutputChannelBlock);
        var weight = convolution.weight;
        var paddedWeight = cat([weight, zeros([extra, .. weight.shape[1..]], weight.dtype, weight.device)]);
        var bias = convolution.bias;
        var paddedBias = bias is null ? null : cat([bias, zeros(extra, bias.dtype, bias.device)]);
        var output = nn.functional.conv2d(input, paddedWeight, paddedBias, convolution.stride, convolution.padding, convolution.dilation, convolution.groups);
        return output.narrow(1, 0, outputs).MoveToOuterDisposeScope();
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

    /// <summary>Whether <paramref name="input"/> <c>[N, C, H, W]</c> (C &gt; 1) has channels as its innermost dimension, as channels-last tensors do.</summary>
    private static bool IsChannelsLast(Tensor input) => input.shape[1] > 1 && input.stride(1) == 1 && !input.is_contiguous();
}
