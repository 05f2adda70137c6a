using DiGA.Core.Models.Compact;
using DiGA.Core.Models.DeepLab;
using DiGA.Core.Tests.Helpers;
using DiGA.Core.Tests.Models.DeepLab;
using DiGA.Core.Training.Optimization;
using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Tests.Training.Optimization;

public sealed class SegmentationOptimizerTests
{
    private const double LearningRate = 0.1;
    private const double WeightDecay = 0.05;
    private const double Momentum = 0.9;

    [Fact]
    public void Step_Deduplicated_AppliesOneSgdUpdatePerParameterWithGroupMultipliers()
    {
        using var model = new DeepLabV2(DeepLabV2Tests.NarrowOptions());
        using var sgd = new SegmentationOptimizer(model, new SegmentationOptimizerOptions { BaseLearningRate = LearningRate, WeightDecay = WeightDecay });
        var state = model.Module.state_dict();
        using var conv = state["layer1.0.conv1.weight"].clone();
        using var head = state["layer5.head.1.weight"].clone();
        using (var loss = state["layer1.0.conv1.weight"].sum() + state["layer5.head.1.weight"].sum())
        {
            loss.backward();
        }

        sgd.Step();
        using var expectedConv = conv - (LearningRate * (1.0 + (WeightDecay * conv)));
        using var expectedHead = head - (10 * LearningRate * (1.0 + (WeightDecay * head)));
        // Three float32 roundings here against the optimiser's add(alpha) kernels, which vectorised builds fuse into FMAs: ≤ 6
        // half-ulps of the result, i.e. ≤ 2.2e-8 for the backbone weight (|p| ≤ 0.12) and ≤ 3.6e-7 for the head (|p| ≤ 1.03).
        TensorAssert.Close(state["layer1.0.conv1.weight"], expectedConv, 1e-7);
        TensorAssert.Close(state["layer5.head.1.weight"], expectedHead, 1e-6);
    }

    [Fact]
    public void Step_ReplicateReferenceDuplicates_UpdatesKTimesWithSharedMomentum()
    {
        using var model = new DeepLabV2(DeepLabV2Tests.NarrowOptions());
        using var sgd = new SegmentationOptimizer(model, new SegmentationOptimizerOptions { BaseLearningRate = LearningRate, WeightDecay = WeightDecay, ReplicateReferenceDuplicates = true });
        var state = model.Module.state_dict();
        string[] keys = ["conv1.weight", "layer2.1.conv3.weight", "layer3.0.downsample.0.weight"];
        int[] multiplicities = [2, 3, 4];
        var before = keys.Select(k => state[k].detach().clone()).ToArray();
        using (var loss = keys.Select(k => state[k].sum()).Aggregate((a, b) => a + b))
        {
            loss.backward();
        }

        sgd.Step();
        for (var i = 0; i < keys.Length; i++)
        {
            using var scope = NewDisposeScope();
            var p = before[i];
            Tensor? buffer = null;
            for (var pass = 0; pass < multiplicities[i]; pass++)
            {
                var d = 1.0 + (WeightDecay * p);
                buffer = buffer is null ? d : (Momentum * buffer) + d;
                p = p - (LearningRate * buffer);
            }

            // Up to 4 passes of ≈ 6 float32 roundings here and ≈ 4 (some fused) in the optimiser, on |p| ≤ 0.94: ≤ 40 half-ulps
            // ≈ 1.2e-6 in the worst case (observed ≤ 1.2e-7, 0 without FMA kernels); 2e-6 against a missed pass's ~0.1.
            TensorAssert.Close(state[keys[i]], p, 2e-6, keys[i]);
            before[i].Dispose();
        }
    }

    [Fact]
    public void Constructor_ReplicateDuplicatesOnCompactModel_UsesItsOwnGroups()
    {
        // The compact architecture has no duplicate-parameter quirk: its reference groups are its groups.
        using var model = new CompactSegmentationModel(new() { Device = "cpu" });
        using var optimizer = new SegmentationOptimizer(model, new SegmentationOptimizerOptions { ReplicateReferenceDuplicates = true });

        optimizer.GroupNames.Should().Equal(model.GetParameterGroups().Select(g => g.Name));
    }

    [Fact]
    public void Constructor_ReplicateDuplicatesWithAdamW_Throws()
    {
        using var model = new CompactSegmentationModel(new() { Device = "cpu" });
        FluentActions.Invoking(() => new SegmentationOptimizer(model, new SegmentationOptimizerOptions { ReplicateReferenceDuplicates = true, Kind = OptimizerKind.AdamW }))
            .Should().Throw<ArgumentException>().WithMessage("*SGD only*");
    }
}
