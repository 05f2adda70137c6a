using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Models;

/// <summary>Checks and state copies shared by the segmentation models.</summary>
internal static class SegmentationModelSupport
{
    /// <summary>Copies every parameter and buffer of <paramref name="source"/> into the same-named entry of <paramref name="target"/> and mirrors its train/eval mode.</summary>
    public static void CopyState(nn.Module source, nn.Module target)
    {
        using var scope = NewDisposeScope();
        using var guard = no_grad();
        var targetState = target.state_dict();
        foreach (var (name, tensor) in source.state_dict())
        {
            targetState[name].copy_(tensor);
        }

        target.train(source.training);
    }

    /// <summary>Creates a CPU generator seeded with <paramref name="seed"/> for weight initialisation.</summary>
    public static Generator CreateGenerator(long seed) => new Generator((ulong)seed, CPU);
}
