using DiGA.Core.Foundation;
using DiGA.Core.Tests.Helpers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace DiGA.Core.Tests.Foundation;

/// <summary>
/// <see cref="Scalars"/> and the Scalar-safe replacements of TorchSharp's BatchNorm2d, LeakyReLU, SGD, Adam and AdamW: the
/// replacements run the same operations with the same Scalar types as the originals, so their results are bit-identical.
/// </summary>
public sealed class ScalarSafetyTests
{
    [Fact]
    public void Of_CachesOneScalarPerTypeAndValue()
    {
        Scalars.Of(2.0).Should().BeSameAs(Scalars.Of(2.0));
        Scalars.Of(1).Should().BeSameAs(Scalars.One);
        Scalars.Of(2).Should().NotBeSameAs(Scalars.Of(2L)).And.NotBeSameAs(Scalars.Of(2.0)).And.NotBeSameAs(Scalars.Of(2f));
        Scalars.Of(0.0).Should().NotBeSameAs(Scalars.Of(-0.0));

        // c10::Scalar keeps the kind (integral, floating point, bool), stored as int64 or double, as the implicit conversions do.
        Scalars.Of(2).Type.Should().Be(ScalarType.Int64);
        Scalars.Of(2L).Type.Should().Be(ScalarType.Int64);
        Scalars.Of(2f).Type.Should().Be(ScalarType.Float64);
        Scalars.Of(2.0).Type.Should().Be(ScalarType.Float64);
        Scalars.Of(true).Type.Should().Be(ScalarType.Bool);
        double.IsNegative(Scalars.Of(-0.0).ToDouble()).Should().BeTrue();
    }

    [Fact]
    public void Create_ReturnsAFreshScalarOfTheArgumentsType()
    {
        using var first = Scalars.Create(0.25);
        using var second = Scalars.Create(0.25);
        using var count = Scalars.Create(3);
        using var size = Scalars.Create(3L);

        first.Should().NotBeSameAs(second);
        first.ToDouble().Should().Be(0.25);
        first.Type.Should().Be(ScalarType.Float64);
        count.Type.Should().Be(ScalarType.Int64);
        count.ToInt32().Should().Be(3);
        size.Type.Should().Be(ScalarType.Int64);
    }

    [Fact]
    public void ScalarSafeBatchNorm2d_MatchesBatchNorm2d_InTrainingAndEvaluation()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(3);
        using var reference = BatchNorm2d(4);
        using var safe = new ScalarSafeBatchNorm2d(4);
        using (no_grad())
        {
            reference.weight.copy_(rand(4, generator: generator));
            reference.bias!.copy_(randn(4, generator: generator));
        }

        safe.load_state_dict(reference.state_dict());
        safe.state_dict().Keys.Should().Equal(reference.state_dict().Keys);

        for (var step = 0; step < 3; step++)
        {
            if (step == 2)
            {
                // The cumulative average (momentum null) takes the batch count from num_batches_tracked.
                reference.momentum = null;
                safe.momentum = null;
            }

            var input = randn([2, 4, 5, 5], generator: generator);
            TensorAssert.Equal(safe.forward(input), reference.forward(input), $"training step {step}");
        }

        foreach (var (name, buffer) in reference.named_buffers())
        {
            TensorAssert.Equal(safe.get_buffer(name)!, buffer, name);
        }

        reference.eval();
        safe.eval();
        var test = randn([2, 4, 5, 5], generator: generator);
        TensorAssert.Equal(safe.forward(test), reference.forward(test), "evaluation");
        safe.get_buffer("num_batches_tracked")!.item<long>().Should().Be(3);
        FluentActions.Invoking(() => safe.forward(randn(2, 4))).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void ScalarSafeLeakyReLU_MatchesLeakyReLU()
    {
        using var scope = NewDisposeScope();
        var input = randn([2, 3, 4, 4], generator: new Generator(5));
        using var reference = LeakyReLU(0.2);
        using var safe = new ScalarSafeLeakyReLU(Scalars.Of(0.2));

        TensorAssert.Equal(safe.forward(input), reference.forward(input));
        safe.parameters().Should().BeEmpty();
    }

    public static TheoryData<double, double, double, bool, bool> SgdSettings => new()
    {
        { 0.9, 0.0, 5e-4, false, false },
        { 0.9, 0.1, 0.0, false, true },
        { 0.9, 0.0, 1e-2, true, false },
        { 0.0, 0.0, 5e-4, false, false },
    };

    [Theory]
    [MemberData(nameof(SgdSettings))]
    public void ScalarSafeSgd_MatchesSgd(double momentum, double dampening, double weightDecay, bool nesterov, bool maximize)
    {
        SGD.ParamGroup[] Groups(IReadOnlyList<Parameter> p) =>
        [
            new(p.Take(2), new SGD.Options { LearningRate = 0.1, momentum = momentum, dampening = dampening, weight_decay = weightDecay, nesterov = nesterov, maximize = maximize }),
            new(p.Skip(2).Append(p[2]), new SGD.Options { LearningRate = 0.05, momentum = momentum, dampening = dampening, weight_decay = weightDecay, nesterov = nesterov, maximize = maximize }),
        ];

        AssertSameUpdates(p => optim.SGD(Groups(p), 0.1), p => new ScalarSafeSgd(Groups(p), 0.1, 0.0, 0.0, 0.0));
    }

    [Theory]
    [InlineData(0.0, false, false)]
    [InlineData(1e-2, true, false)]
    [InlineData(1e-2, false, true)]
    public void ScalarSafeAdam_MatchesAdam(double weightDecay, bool amsgrad, bool maximize) =>
        AssertSameUpdates(
            p => optim.Adam(p, 0.01, 0.5, 0.9, 1e-6, weightDecay, amsgrad, maximize),
            p => new ScalarSafeAdam(p, 0.01, 0.5, 0.9, 1e-6, weightDecay, amsgrad, maximize));

    [Theory]
    [InlineData(0.0, false, false)]
    [InlineData(1e-2, true, false)]
    [InlineData(1e-2, false, true)]
    public void ScalarSafeAdamW_MatchesAdamW(double weightDecay, bool amsgrad, bool maximize)
    {
        AdamW.ParamGroup[] Groups(IReadOnlyList<Parameter> p) =>
        [
            new(p.Take(2), new AdamW.Options { LearningRate = 0.01, beta1 = 0.5, beta2 = 0.9, eps = 1e-6, weight_decay = weightDecay, amsgrad = amsgrad, maximize = maximize }),
            new(p.Skip(2), new AdamW.Options { LearningRate = 0.02, beta1 = 0.8, beta2 = 0.99, eps = 1e-8, weight_decay = weightDecay, amsgrad = amsgrad, maximize = maximize }),
        ];

        AssertSameUpdates(p => optim.AdamW(Groups(p), 0.01), p => new ScalarSafeAdamW(Groups(p), 0.01, 0.0));
    }

    /// <summary>Runs both optimisers for five steps of the same loss on equal parameters (one without a gradient) and compares every parameter after every step.</summary>
    private static void AssertSameUpdates(Func<IReadOnlyList<Parameter>, OptimizerHelper> createReference, Func<IReadOnlyList<Parameter>, OptimizerHelper> createSafe)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(11);
        Tensor[] initial = [randn([3, 4], generator: generator), randn(5, generator: generator), randn([2, 2], generator: generator), randn(3, generator: generator)];
        var weights = initial.Select(t => randn(t.shape, generator: generator)).ToArray();
        var referenceParameters = initial.Select(t => new Parameter(t.clone())).ToList();
        var safeParameters = initial.Select(t => new Parameter(t.clone())).ToList();
        using var reference = createReference(referenceParameters);
        using var safe = createSafe(safeParameters);

        for (var step = 0; step < 5; step++)
        {
            foreach (var (optimizer, parameters) in new[] { (reference, referenceParameters), (safe, safeParameters) })
            {
                optimizer.zero_grad();
                using var stepScope = NewDisposeScope();

                // The last parameter gets no gradient: both optimisers must skip it.
                var loss = parameters.Take(3).Select((p, i) => p.mul(p).mul(weights[i]).sum()).Aggregate((a, b) => a.add(b));
                loss.backward();
                optimizer.step();
            }

            for (var i = 0; i < initial.Length; i++)
            {
                TensorAssert.Equal(safeParameters[i], referenceParameters[i], $"parameter {i} after step {step}");
            }
        }

        TensorAssert.Equal(safeParameters[3], initial[3], "a parameter without a gradient is not updated");
    }
}
