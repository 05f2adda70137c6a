using static TorchSharp.torch;

namespace DiGA.Core.Foundation;

/// <summary>
/// The generator from which the library's stochastic layers (dropout, drop path) draw on the current thread.
/// </summary>
/// <remarks>
/// libtorch's dropout draws from its process-wide generator, which every thread of the process shares: a model built or
/// trained concurrently takes draws from it, and a training's masks then depend on what else ran. A training stage
/// therefore installs its own generator, seeded per iteration, for the forward passes of an iteration; the library's
/// layers draw from it, and from libtorch's generator when none is installed (a forward pass outside a stage). The
/// installation is thread-static: a stage's forward passes run on its training thread.
/// </remarks>
internal static class DropoutRandom
{
    [ThreadStatic]
    private static Generator? s_current;

    /// <summary>Gets the generator installed on this thread, or <see langword="null"/> for libtorch's default generator.</summary>
    public static Generator? Current => s_current;

    /// <summary>Installs <paramref name="generator"/> on this thread until the returned scope is disposed.</summary>
    /// <param name="generator">The generator, on the device of the tensors the layers draw for; not disposed.</param>
    /// <returns>A scope that restores the previous generator.</returns>
    public static Scope Use(Generator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        var previous = s_current;
        s_current = generator;
        return new Scope(previous);
    }

    /// <summary>Restores the generator that was installed before <see cref="Use"/>.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly Generator? _previous;

        internal Scope(Generator? previous) => _previous = previous;

        /// <inheritdoc />
        public void Dispose() => s_current = _previous;
    }
}
