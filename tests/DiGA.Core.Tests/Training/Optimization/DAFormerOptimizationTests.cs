using DiGA.Core.Models.MixTransformer;
using DiGA.Core.Tests.Models.MixTransformer;
using DiGA.Core.Training.Optimization;
using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Tests.Training.Optimization;

/// <summary>The DAFormer optimisation: linear warm-up before poly 1.0, and AdamW with per-group weight-decay multipliers.</summary>
public sealed class DAFormerOptimizationTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(750)]
    [InlineData(1499)]
    [InlineData(1500)]
    [InlineData(20_000)]
    public void GetBaseLearningRate_LinearWarmUpThenPoly_FollowsMmcv(long iteration)
    {
        var schedule = new PolyLearningRate(new PolyLearningRateOptions { BaseLearningRate = 6e-5, Power = 1.0, MaxIterations = 40_000, WarmUpIterations = 1500 });
        var poly = 6e-5 * (1.0 - (iteration / 40_000.0));
        var expected = iteration < 1500 ? poly * (1.0 - ((1.0 - (iteration / 1500.0)) * (1.0 - 1e-6))) : poly;
        // The same double formula as mmcv's linear warm-up (regular_lr · (1 − k), k = (1 − i/n)(1 − ratio)): a few ulp.
        schedule.GetBaseLearningRate(iteration).Should().BeApproximately(expected, 1e-18);
        if (iteration == 0)
        {
            schedule.GetBaseLearningRate(0).Should().BeApproximately(6e-11, 1e-20, "the warm-up starts at ratio 1e-6 of the rate");
        }
    }

    [Fact]
    public void Constructor_InvalidWarmUp_Throws()
    {
        FluentActions.Invoking(() => new PolyLearningRate(new PolyLearningRateOptions { WarmUpIterations = -1 })).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => new PolyLearningRate(new PolyLearningRateOptions { WarmUpRatio = 2 })).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Step_AdamW_DecaysEncoderWeightsAndHeadButNotEncoderNorms()
    {
        using var model = new MixTransformerModel(MixTransformerModelTests.NarrowOptions(MixTransformerDecoder.DAFormer));
        using var optimizer = new SegmentationOptimizer(model, new SegmentationOptimizerOptions { Kind = OptimizerKind.AdamW, BaseLearningRate = 6e-5, WeightDecay = 0.01 });
        optimizer.GroupNames.Should().Equal("backbone", "backbone-norm", "head");
        optimizer.LearningRates.Should().Equal([6e-5, 6e-5, 6e-5 * 10], (a, b) => Math.Abs(a - b) < 1e-18);
        var state = model.Module.state_dict();
        string[] keys = ["backbone.block1.0.attn.q.weight", "backbone.block1.0.norm1.weight", "backbone.patch_embed2.norm.bias", "decode_head.conv_seg.weight", "decode_head.fuse_layer.bottleneck.bn.weight"];
        var before = keys.ToDictionary(k => k, k => state[k].detach().clone());
        using (var scope = NewDisposeScope())
        {
            // A zero loss gives zero gradients: AdamW's moment update is then 0 and only the decoupled decay p ← p·(1 − lr·wd) acts.
            model.Forward(randn(1, 3, 32, 32)).Logits.sum().mul(0.0).backward();
        }

        optimizer.Step();
        // float32 products of O(1) values with (1 − 6e-7) and (1 − 6e-6): within 1 ulp of the exact decay (≤ 2.4e-7 relative).
        TensorAssertions(state["backbone.block1.0.attn.q.weight"], before["backbone.block1.0.attn.q.weight"] * (1 - (6e-5 * 0.01)));
        TensorAssertions(state["backbone.block1.0.norm1.weight"], before["backbone.block1.0.norm1.weight"]);
        TensorAssertions(state["backbone.patch_embed2.norm.bias"], before["backbone.patch_embed2.norm.bias"]);
        TensorAssertions(state["decode_head.conv_seg.weight"], before["decode_head.conv_seg.weight"] * (1 - (6e-4 * 0.01)));
        TensorAssertions(state["decode_head.fuse_layer.bottleneck.bn.weight"], before["decode_head.fuse_layer.bottleneck.bn.weight"] * (1 - (6e-4 * 0.01)));
    }

    private static void TensorAssertions(Tensor actual, Tensor expected)
    {
        using var difference = (actual.to(ScalarType.Float64) - expected.to(ScalarType.Float64)).abs().max();
        using var scale = expected.abs().max();
        difference.item<double>().Should().BeLessThanOrEqualTo((scale.item<float>() * 3e-7) + 1e-12);
    }
}
