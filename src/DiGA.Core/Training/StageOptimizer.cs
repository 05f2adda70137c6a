using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiGA.Core.Training;

/// <summary>The optimiser of one stage: one parameter group per model group, each at its learning-rate multiplier, with the stage's schedule.</summary>
internal sealed class StageOptimizer : IDisposable
{
    private readonly OptimizerHelper _optimizer;
    private readonly ParamGroup[] _groups;
    private readonly double[] _multipliers;
    private readonly StageOptions _options;

    public StageOptimizer(ISegmentationModel model, StageOptions options)
    {
        _options = options;
        var groups = model.GetParameterGroups().Where(g => g.Parameters.Count > 0).ToArray();
        _multipliers = groups.Select(g => g.LearningRateMultiplier).ToArray();
        if (options.Optimizer == OptimizerKind.Sgd)
        {
            var sgdGroups = groups.Select(g => new SGD.ParamGroup(g.Parameters, options.LearningRate * g.LearningRateMultiplier, options.Momentum, 0, options.WeightDecay, false, false)).ToArray();
            _optimizer = optim.SGD(sgdGroups, options.LearningRate, options.Momentum, 0, options.WeightDecay);
            _groups = sgdGroups;
        }
        else
        {
            var adamGroups = groups.Select(g => new AdamW.ParamGroup(g.Parameters, options.LearningRate * g.LearningRateMultiplier, 0.9, 0.999, 1e-8, options.WeightDecay, false, false)).ToArray();
            _optimizer = optim.AdamW(adamGroups, options.LearningRate, 0.9, 0.999, 1e-8, options.WeightDecay);
            _groups = adamGroups;
        }
    }

    /// <summary>Sets every group's learning rate for iteration <paramref name="iteration"/> (0-based) of the schedule.</summary>
    public void SetLearningRate(int iteration)
    {
        var factor = LearningRateSchedule.Factor(_options.Schedule, iteration, _options.Iterations, _options.PolyPower);
        for (var g = 0; g < _groups.Length; g++)
        {
            _groups[g].LearningRate = _options.LearningRate * _multipliers[g] * factor;
        }
    }

    /// <summary>Clears the gradients, back-propagates <paramref name="loss"/> and updates the parameters.</summary>
    public void Step(Tensor loss)
    {
        _optimizer.zero_grad();
        loss.backward();
        _optimizer.step();
    }

    public void Save(Stream stream)
    {
        using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        _optimizer.save_state_dict(writer);
    }

    public void Load(Stream stream)
    {
        using var reader = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        _optimizer.load_state_dict(reader);
    }

    public void Dispose() => _optimizer.Dispose();
}
