using DiGA.Core.Models;
using DiGA.Core.Models.Architectures;
using DiGA.Core.Models.Compact;
using static TorchSharp.torch;

namespace DiGA.Core.ChildProcess;

/// <summary>
/// <c>convolution</c>: a training step and a one-image prediction of a small model through DiGA.Core on the CPU; exits 0
/// when the gradients and the logits are finite. Whatever libtorch prints goes to this process's stderr.
/// </summary>
internal static class Convolution
{
    public static int Run()
    {
        using var model = SegmentationArchitectures.Create(new SegmentationModelOptions { Architecture = CompactArchitecture.Name, Device = "cpu" });
        using var scope = NewDisposeScope();
        var images = randn([4, 3, 32, 64], generator: new TorchSharp.torch.Generator(1));
        using var output = model.Forward(images);
        output.Logits.square().mean().backward();
        var finite = model.Module.parameters().All(p => p.grad is { } gradient && gradient.isfinite().all().item<bool>());

        // One image at a time, as evaluation runs: small convolutions take libtorch's native path, where it probes NNPACK.
        model.Module.eval();
        using (no_grad())
        {
            using var prediction = model.Forward(images[..1]);
            finite &= prediction.Logits.isfinite().all().item<bool>();
        }

        Console.Out.WriteLine(finite ? "convolution: finite gradients" : "convolution: non-finite gradients");
        return finite ? 0 : 1;
    }
}
