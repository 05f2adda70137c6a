using DiGA.Core.Models.DeepLab;
using TorchSharp;
using TorchSharp.Modules;

namespace DiGA.Core.Optimization;

/// <summary>
/// SGD with momentum and weight decay over a model's parameter groups (<see cref="ISegmentationModel.GetParameterGroups"/>),
/// each group's learning rate being the base rate times its multiplier. Wraps TorchSharp's <c>torch.optim.SGD</c>.
/// </summary>
/// <remarks>
/// One optimiser per model; not thread-safe. Disposing it disposes the momentum buffers, not the model.
/// With <see cref="SegmentationSgdOptions.ReplicateReferenceDuplicates"/> on a <see cref="DeepLabV2"/>, the groups come from
/// <see cref="DeepLabV2.GetReferenceParameterGroups"/>: a parameter listed k times is updated k times per <see cref="Step"/>
/// (each pass <c>d = g + wd·p; buf = m·buf + d; p −= lr·buf</c>, the first pass of the first step setting <c>buf = d</c>).
/// </remarks>
public sealed class SegmentationSgd : IDisposable
{
    private readonly SGD _optimizer;
    private readonly IReadOnlyList<(SGD.ParamGroup Group, double Multiplier)> _groups;

    /// <summary>Initialises a new optimiser for <paramref name="model"/>.</summary>
    /// <param name="model">The model whose parameter groups are optimised.</param>
    /// <param name="options">The options; <see langword="null"/> uses the reference values (lr 2.5e-4, momentum 0.9, wd 5e-4).</param>
    /// <exception cref="ArgumentException"><see cref="SegmentationSgdOptions.ReplicateReferenceDuplicates"/> is set for a model other than <see cref="DeepLabV2"/>.</exception>
    public SegmentationSgd(ISegmentationModel model, SegmentationSgdOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var settings = options ?? new SegmentationSgdOptions();
        var inner = model;
        while (inner is Models.Inference.DelegatingSegmentationModel delegating)
        {
            inner = delegating.InnerModel;
        }

        IReadOnlyList<ModelParameterGroup> groups;
        if (settings.ReplicateReferenceDuplicates)
        {
            groups = inner is DeepLabV2 deepLab
                ? deepLab.GetReferenceParameterGroups()
                : throw new ArgumentException($"ReplicateReferenceDuplicates applies to DeepLabV2 only, not {inner.GetType().Name}.", nameof(options));
        }
        else
        {
            groups = model.GetParameterGroups();
        }

        var paramGroups = groups
            .Select(g => (Group: new SGD.ParamGroup(g.Parameters, new SGD.Options
            {
                LearningRate = settings.BaseLearningRate * g.LearningRateMultiplier,
                momentum = settings.Momentum,
                weight_decay = settings.WeightDecay,
            }), Multiplier: g.LearningRateMultiplier))
            .ToList();
        _groups = paramGroups;
        GroupNames = [.. groups.Select(g => g.Name)];
        _optimizer = torch.optim.SGD(paramGroups.Select(g => g.Group), settings.BaseLearningRate, settings.Momentum, 0.0, settings.WeightDecay);
    }

    /// <summary>Gets the underlying TorchSharp optimiser (for example to save its state).</summary>
    public torch.optim.Optimizer Optimizer => _optimizer;

    /// <summary>Gets the group names, in order.</summary>
    public IReadOnlyList<string> GroupNames { get; }

    /// <summary>Gets the current learning rate of each group, in order.</summary>
    public IReadOnlyList<double> LearningRates => [.. _groups.Select(g => g.Group.LearningRate)];

    /// <summary>Sets every group's learning rate to <paramref name="learningRate"/> times its multiplier.</summary>
    /// <param name="learningRate">The base (1×) learning rate.</param>
    public void SetBaseLearningRate(double learningRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(learningRate);
        foreach (var (group, multiplier) in _groups)
        {
            group.LearningRate = learningRate * multiplier;
        }
    }

    /// <summary>Clears the gradients of every optimised parameter.</summary>
    public void ZeroGrad() => _optimizer.zero_grad();

    /// <summary>Applies one update from the current gradients.</summary>
    public void Step() => _optimizer.step();

    /// <inheritdoc />
    public void Dispose() => _optimizer.Dispose();
}
