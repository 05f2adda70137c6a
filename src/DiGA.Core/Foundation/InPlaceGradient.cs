using static TorchSharp.torch;

namespace DiGA.Core.Foundation;

/// <summary>
/// Support for the loss kernels' custom autograd nodes, whose backward pass turns a buffer saved by the forward pass into the
/// gradient in place (one tensor of the logits' size instead of three to five).
/// </summary>
/// <remarks>
/// TorchSharp runs a custom backward as a callback from libtorch, and an exception there ends the process. So such a backward
/// must not fail, also not when a graph kept with <c>retain_graph</c> is run a second time: the node writes through
/// <see cref="Unversioned"/> aliases, which leave the saved tensors' version counters (checked when they are unpacked) as they
/// were, and takes the buffer only once (<see cref="Once"/>); a later backward recomputes it from the saved inputs.
/// </remarks>
internal static class InPlaceGradient
{
    /// <summary>An alias of <paramref name="source"/> (same storage, sizes and strides) with a version counter of its own.</summary>
    /// <param name="source">The tensor.</param>
    /// <returns>The alias; in-place writes through it do not bump the version of <paramref name="source"/>.</returns>
    public static Tensor Unversioned(Tensor source) => empty(0, source.dtype, source.device).set_(source);

    /// <summary>Whether a node's saved buffer is still unused, for <c>AutogradContext.save_data</c>.</summary>
    public sealed class Once
    {
        private int _taken;

        /// <summary>Returns <see langword="true"/> the first time only.</summary>
        public bool TryTake() => Interlocked.Exchange(ref _taken, 1) == 0;
    }
}
