namespace DiGA.Core.Training;

/// <summary>The mean loss terms of a segmentation stage over the iterations since the previous report.</summary>
/// <param name="Total">The weighted sum that was minimised.</param>
/// <param name="Supervised">The supervised loss on the labelled source view.</param>
public sealed record StageLosses(double Total, double Supervised)
{
    /// <summary>Gets the supervised loss on the cross-domain ClassMix of self-training (source classes pasted on target crops).</summary>
    public double? MixedSupervised { get; init; }

    /// <summary>Gets the symmetric distillation loss between the student and its EMA teacher.</summary>
    public double? Distillation { get; init; }

    /// <summary>Gets the share of target pixels whose offline pseudo-label the selector kept (self-training).</summary>
    public double? KeptFraction { get; init; }

    /// <summary>Gets the terms that are present, in a fixed order, for display and plots.</summary>
    /// <returns>Name and value of each term; <c>total</c> first.</returns>
    public IReadOnlyList<KeyValuePair<string, double>> Terms()
    {
        var terms = new List<KeyValuePair<string, double>> { new("total", Total), new("supervised", Supervised) };
        Add("mixedSupervised", MixedSupervised);
        Add("distillation", Distillation);
        Add("kept", KeptFraction);
        return terms;

        void Add(string name, double? value)
        {
            if (value is { } v)
            {
                terms.Add(new(name, v));
            }
        }
    }

    /// <summary>Gets whether every present term is finite.</summary>
    public bool IsFinite => Terms().All(t => double.IsFinite(t.Value));
}
