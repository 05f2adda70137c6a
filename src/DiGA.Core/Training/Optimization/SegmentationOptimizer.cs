using DiGA.Core.Foundation;
using DiGA.Core.Models;
using DiGA.Core.Models.Architectures;
using DiGA.Core.Models.Inference;
using TorchSharp;
using TorchSharp.Modules;

namespace DiGA.Core.Training.Optimization;

/// <summary>
/// The optimiser of a segmentation model: SGD with momentum and weight decay (the reference) or AdamW, over the model's
/// parameter groups (<see cref="ISegmentationModel.GetParameterGroups"/>), each group's learning rate being the base rate
/// times its multiplier and its weight decay the configured decay times <see cref="ModelParameterGroup.WeightDecayMultiplier"/>. Wraps TorchSharp's <c>torch.optim.SGD</c> / <c>AdamW</c>
/// (subclasses whose <c>step</c> keeps every <c>Scalar</c> alive until libtorch has read it; same updates and state).
/// </summary>
/// <remarks>
/// One optimiser per model; not thread-safe. Disposing it disposes the optimiser state, not the model.
/// With <see cref="SegmentationOptimizerOptions.ReplicateReferenceDuplicates"/>, the groups come from the model's architecture
/// (<see cref="SegmentationArchitecture.GetReferenceParameterGroups"/>): a parameter listed k times is updated k times per <see cref="Step"/>
/// (each pass <c>d = g + wd·p; buf = m·buf + d; p −= lr·buf</c>, the first pass of the first step setting <c>buf = d</c>).
/// </remarks>
public sealed class SegmentationOptimizer : IDisposable
{
    private readonly OptimizerHelper _optimizer;
    private readonly IReadOnlyList<(ParamGroup Group, double Multiplier)> _groups;

    /// <summary>Initialises a new optimiser for <paramref name="model"/>.</summary>
    /// <param name="model">The model whose parameter groups are optimised.</param>
    /// <param name="options">The options; <see langword="null"/> uses the reference values (SGD, lr 2.5e-4, momentum 0.9, wd 5e-4).</param>
    /// <exception cref="ArgumentException"><see cref="SegmentationOptimizerOptions.ReplicateReferenceDuplicates"/> is set with AdamW, or for a model whose architecture is not registered.</exception>
    public SegmentationOptimizer(ISegmentationModel model, SegmentationOptimizerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var settings = options ?? new SegmentationOptimizerOptions();
        var inner = model;
        while (inner is DelegatingSegmentationModel delegating)
        {
            inner = delegating.InnerModel;
        }

        IReadOnlyList<ModelParameterGroup> groups;
        if (settings.ReplicateReferenceDuplicates)
        {
            if (settings.Kind != OptimizerKind.Sgd)
            {
                throw new ArgumentException("ReplicateReferenceDuplicates applies to SGD only.", nameof(options));
            }

            groups = SegmentationArchitectures.Get(inner.Info.Architecture).GetReferenceParameterGroups(inner);
        }
        else
        {
            groups = model.GetParameterGroups();
        }

        GroupNames = [.. groups.Select(g => g.Name)];
        if (settings.Kind == OptimizerKind.Sgd)
        {
            var sgdGroups = groups
                .Select(g => new SGD.ParamGroup(g.Parameters, new SGD.Options
                {
                    LearningRate = settings.BaseLearningRate * g.LearningRateMultiplier,
                    momentum = settings.Momentum,
                    weight_decay = settings.WeightDecay * g.WeightDecayMultiplier,
                }))
                .ToArray();
            _optimizer = new ScalarSafeSgd(sgdGroups, settings.BaseLearningRate, settings.Momentum, dampening: 0.0, settings.WeightDecay);
            _groups = [.. sgdGroups.Select((group, i) => ((ParamGroup)group, groups[i].LearningRateMultiplier))];
        }
        else
        {
            var adamGroups = groups
                .Select(g => new AdamW.ParamGroup(g.Parameters, new AdamW.Options
                {
                    LearningRate = settings.BaseLearningRate * g.LearningRateMultiplier,
                    weight_decay = settings.WeightDecay * g.WeightDecayMultiplier,
                }))
                .ToArray();
            _optimizer = new ScalarSafeAdamW(adamGroups, settings.BaseLearningRate, settings.WeightDecay);
            _groups = [.. adamGroups.Select((group, i) => ((ParamGroup)group, groups[i].LearningRateMultiplier))];
        }
    }

    /// <summary>Gets the wrapped TorchSharp optimiser.</summary>
    public torch.optim.Optimizer Optimizer => (torch.optim.Optimizer)_optimizer;

    /// <summary>Gets the names of the parameter groups, in order.</summary>
    public IReadOnlyList<string> GroupNames { get; }

    /// <summary>Gets the current learning rate of each group.</summary>
    public IReadOnlyList<double> LearningRates => [.. _groups.Select(g => g.Group.LearningRate)];

    /// <summary>Sets the base learning rate; each group gets it times its multiplier.</summary>
    /// <param name="learningRate">The base (backbone) learning rate.</param>
    public void SetBaseLearningRate(double learningRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(learningRate);
        foreach (var (group, multiplier) in _groups)
        {
            group.LearningRate = learningRate * multiplier;
        }
    }

    /// <summary>Clears the gradients of every parameter: each gradient is released (<c>grad = None</c>, as PyTorch's
    /// <c>zero_grad(set_to_none=True)</c>), so the next backward pass does not keep a model-sized gradient alive while it
    /// runs and hands its gradients to the parameters without an accumulating copy. A parameter that receives no gradient
    /// in that pass is skipped by <see cref="Step"/>.</summary>
    public void ZeroGrad()
    {
        foreach (var (group, _) in _groups)
        {
            foreach (var parameter in group.Parameters)
            {
                using var grad = parameter.grad;
                if (grad is not null)
                {
                    parameter.grad = null;
                }
            }
        }
    }

    /// <summary>Applies one update from the current gradients.</summary>
    public void Step() => _optimizer.step();

    /// <summary>Writes the optimiser state (momentum or moment buffers, step counts, learning rates).</summary>
    /// <param name="stream">The destination; left open.</param>
    public void Save(Stream stream)
    {
        using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        _optimizer.save_state_dict(writer);
    }

    /// <summary>Restores a state written by <see cref="Save"/> for the same model and options.</summary>
    /// <param name="stream">The source; left open.</param>
    public void Load(Stream stream)
    {
        using var reader = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        _optimizer.load_state_dict(reader);
    }

    /// <inheritdoc />
    public void Dispose() => _optimizer.Dispose();
}
