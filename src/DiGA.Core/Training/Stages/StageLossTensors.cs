using DiGA.Core.Foundation;
using static TorchSharp.torch;

namespace DiGA.Core.Training.Stages;

/// <summary>The loss terms of one iteration as scalar tensors; <see cref="Total"/> is what the optimiser minimises.</summary>
/// <param name="Total">The weighted sum to back-propagate.</param>
/// <param name="Supervised">The supervised loss on the labelled source view.</param>
internal sealed record StageLossTensors(Tensor Total, Tensor Supervised)
{
    /// <summary>Gets the supervised loss on the cross-domain ClassMix (self-training).</summary>
    public Tensor? MixedSupervised { get; init; }

    /// <summary>Gets the symmetric distillation loss.</summary>
    public Tensor? Distillation { get; init; }

    /// <summary>Gets the share of target pixels whose pseudo-label was kept (self-training).</summary>
    public Tensor? KeptFraction { get; init; }
}

/// <summary>Sums the loss terms of the iterations between two reports on the device, and reads their means back in one host synchronisation.</summary>
internal sealed class LossAccumulator(Device device) : IDisposable
{
    private readonly Tensor?[] _sums = new Tensor?[5];
    private int _count;

    /// <summary>Gets whether no iteration was added since the last <see cref="TakeMeans"/>.</summary>
    public bool IsEmpty => _count == 0;

    /// <summary>Adds one iteration's terms (detached, in float64).</summary>
    public void Add(StageLossTensors losses)
    {
        using var noGrad = no_grad();
        Tensor?[] terms = [losses.Total, losses.Supervised, losses.MixedSupervised, losses.Distillation, losses.KeptFraction];
        for (var i = 0; i < terms.Length; i++)
        {
            if (terms[i] is { } term)
            {
                _sums[i] ??= zeros([], ScalarType.Float64, device).MoveToOuterDisposeScope();
                _sums[i]!.add_(term.detach().to(ScalarType.Float64), Scalars.One);
            }
        }

        _count++;
    }

    /// <summary>Reads the means since the last call and restarts the sums.</summary>
    public StageLosses TakeMeans()
    {
        using var scope = NewDisposeScope();
        var present = _sums.Select((sum, i) => (sum, i)).Where(p => p.sum is not null).ToArray();
        var values = stack(present.Select(p => p.sum!).ToArray()).cpu().data<double>().ToArray();
        var means = new double?[_sums.Length];
        for (var j = 0; j < present.Length; j++)
        {
            means[present[j].i] = values[j] / _count;
            present[j].sum!.zero_();
        }

        _count = 0;
        return new StageLosses(means[0]!.Value, means[1]!.Value) { MixedSupervised = means[2], Distillation = means[3], KeptFraction = means[4] };
    }

    public void Dispose()
    {
        foreach (var sum in _sums)
        {
            sum?.Dispose();
        }
    }
}
