using DiGA.Core.Foundation;
using DiGA.Core.Models;
using DiGA.Core.Tests.Helpers;
using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Tests.Models;

public sealed class FeatureDropoutTests
{
    [Fact]
    public void Forward_Training_ZeroesWholeChannelsAndScalesTheKeptOnesByOneOverKeep()
    {
        using var scope = NewDisposeScope();
        using var dropout = new FeatureDropout(0.25);
        dropout.train();
        var input = rand([64, 32, 3, 5], generator: new Generator(1)) + 0.5;

        Tensor output;
        using var generator = new Generator(2);
        using (DropoutRandom.Use(generator))
        {
            output = dropout.forward(input);
        }

        var ratio = output / input;
        var perChannel = ratio.amax([2, 3]);
        TensorAssert.Close(ratio.amin([2, 3]), perChannel, 1e-6, "one draw per sample and channel");
        var kept = perChannel.gt(0.5);
        TensorAssert.Close(perChannel.masked_select(kept), full(kept.sum().item<long>(), 1.0 / 0.75), 1e-6, "kept channels are scaled by 1 / 0.75");
        perChannel.masked_select(kept.logical_not()).abs().max().item<float>().Should().Be(0f);

        // 2048 Bernoulli(0.75) draws: the kept fraction has standard deviation 0.0096.
        kept.to(ScalarType.Float32).mean().item<float>().Should().BeApproximately(0.75f, 0.04f);
    }

    [Fact]
    public void Forward_SameInstalledSeed_SameMasks_OtherSeed_OtherMasks()
    {
        using var scope = NewDisposeScope();
        using var dropout = new FeatureDropout(0.5);
        dropout.train();
        var input = ones([4, 16, 2, 2]);

        Tensor Draw(int seed)
        {
            using var generator = new Generator((ulong)seed);
            using var installed = DropoutRandom.Use(generator);
            rand(1000).Dispose(); // the global generator is not the one drawn from
            return dropout.forward(input);
        }

        TensorAssert.Equal(Draw(5), Draw(5));
        Draw(5).ne(Draw(6)).any().item<bool>().Should().BeTrue();
    }

    [Fact]
    public void Forward_EvalOrZeroProbability_IsTheIdentity()
    {
        using var scope = NewDisposeScope();
        var input = randn([2, 8, 4, 4], generator: new Generator(3));
        using var dropout = new FeatureDropout(0.5);
        dropout.eval();
        TensorAssert.Equal(dropout.forward(input), input);

        using var none = new FeatureDropout(0.0);
        none.train();
        TensorAssert.Equal(none.forward(input), input);

        using var all = new FeatureDropout(1.0);
        all.train();
        TensorAssert.Equal(all.forward(input), zeros_like(input));
    }

    [Fact]
    public void Constructor_ProbabilityOutsideUnitInterval_Throws()
    {
        FluentActions.Invoking(() => new FeatureDropout(-0.1)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new FeatureDropout(1.5)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new FeatureDropout(double.NaN)).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Use_Nested_RestoresThePreviousGenerator()
    {
        using var outer = new Generator(1);
        using var inner = new Generator(2);
        DropoutRandom.Current.Should().BeNull("nothing is installed on a fresh test thread");
        using (DropoutRandom.Use(outer))
        {
            using (DropoutRandom.Use(inner))
            {
                DropoutRandom.Current.Should().BeSameAs(inner);
            }

            DropoutRandom.Current.Should().BeSameAs(outer);
        }

        DropoutRandom.Current.Should().BeNull();
    }
}
