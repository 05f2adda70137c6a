using DiGA.Core.Foundation;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiGA.Core.Models;

/// <summary>Seeded weight initialisers (every draw comes from the given generator).</summary>
internal static class ModelInitialization
{
    /// <summary>Draws every element of <paramref name="parameter"/> from N(0, <paramref name="std"/>).</summary>
    public static void Normal(Parameter parameter, double std, Generator generator)
    {
        using var guard = no_grad();
        parameter.normal_(0.0, std, generator);
    }

    /// <summary>PyTorch's default for conv/linear biases and linear weights: U(−1/√fan_in, 1/√fan_in).</summary>
    public static void FanInUniform(Parameter parameter, long fanIn, Generator generator)
    {
        using var guard = no_grad();
        var bound = 1.0 / Math.Sqrt(fanIn);
        parameter.uniform_(-bound, bound, generator);
    }

    /// <summary>Kaiming-normal (fan-out, ReLU gain) for convolution weights.</summary>
    public static void KaimingNormalFanOut(Conv2d conv, Generator generator)
    {
        var fanOut = conv.out_channels * conv.kernel_size.Aggregate(1L, (a, b) => a * b) / conv.groups;
        Normal(conv.weight!, Math.Sqrt(2.0 / fanOut), generator);
    }

    /// <summary>Sets a parameter to a constant.</summary>
    public static void Constant(Parameter? parameter, double value)
    {
        if (parameter is null)
        {
            return;
        }

        using var guard = no_grad();
        using var fill = Scalars.Create(value);
        parameter.fill_(fill);
    }

    /// <summary>Gets the fan-in of a convolution.</summary>
    public static long FanIn(Conv2d conv) => conv.in_channels / conv.groups * conv.kernel_size.Aggregate(1L, (a, b) => a * b);
}
