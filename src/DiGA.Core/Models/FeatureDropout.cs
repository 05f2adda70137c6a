using DiGA.Core.Foundation;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace DiGA.Core.Models;

/// <summary>
/// Channel dropout with <c>torch.nn.Dropout2d</c>'s semantics: in training, each channel of each sample is zeroed with
/// probability p and the kept ones are scaled by 1/(1 − p); in evaluation, the identity. The masks come from
/// <see cref="DropoutRandom.Current"/> (a training stage's per-iteration generator), else from libtorch's default generator.
/// </summary>
/// <remarks>No parameters or buffers, so it adds no state-dictionary keys.</remarks>
internal sealed class FeatureDropout : Module<Tensor, Tensor>
{
    private readonly double _probability;

    public FeatureDropout(double probability)
        : base(nameof(FeatureDropout))
    {
        if (probability is < 0.0 or > 1.0 || double.IsNaN(probability))
        {
            throw new ArgumentOutOfRangeException(nameof(probability), probability, "The dropout probability must be in [0, 1].");
        }

        _probability = probability;
    }

    /// <summary>Gets the probability of zeroing a channel.</summary>
    public double Probability => _probability;

    /// <summary>Applies the dropout.</summary>
    /// <param name="input">Floating-point features <c>[N, C, …]</c>; not disposed.</param>
    /// <returns>A new tensor (an alias of the input in evaluation or at p = 0) of the input's shape, dtype and device, owned by the caller.</returns>
    public override Tensor forward(Tensor input)
    {
        if (!training || _probability == 0.0 || input.numel() == 0)
        {
            return input.alias();
        }

        using var scope = NewDisposeScope();
        if (_probability == 1.0)
        {
            return input.mul(Scalars.Of(0.0)).MoveToOuterDisposeScope();
        }

        // As libtorch's feature dropout: one Bernoulli(1 − p) draw per sample and channel, divided by 1 − p.
        var keep = 1.0 - _probability;
        var shape = new long[input.dim()];
        Array.Fill(shape, 1L);
        shape[0] = input.shape[0];
        shape[1] = input.shape[1];
        using var keepScalar = Scalars.Create(keep);
        var noise = empty(shape, input.dtype, input.device).bernoulli_(keep, DropoutRandom.Current).div_(keepScalar);
        return input.mul(noise).MoveToOuterDisposeScope();
    }
}
