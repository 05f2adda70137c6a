using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.ChildProcess;

/// <summary><c>convolution</c>: one small conv2d forward and backward pass on the CPU; exits 0 when the gradients are finite.</summary>
internal static class Convolution
{
    public static int Run()
    {
        set_num_threads(1);
        using var scope = NewDisposeScope();
        using var convolution = nn.Conv2d(3, 8, 3, padding: 1);
        var input = randn([2, 3, 16, 16], requires_grad: true);
        var loss = convolution.forward(input).square().mean();
        loss.backward();
        var finite = input.grad is { } inputGradient
            && convolution.weight?.grad is { } weightGradient
            && inputGradient.isfinite().all().item<bool>()
            && weightGradient.isfinite().all().item<bool>();
        Console.Out.WriteLine(finite ? "convolution: finite gradients" : "convolution: non-finite gradients");
        return finite ? 0 : 1;
    }
}
