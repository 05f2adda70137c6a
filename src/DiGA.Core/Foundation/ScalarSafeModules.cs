using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace DiGA.Core.Foundation;

/// <summary>
/// TorchSharp's <c>BatchNorm2d</c> without the Scalars it drops on every training forward: its <c>forward</c> counts batches with
/// <c>num_batches_tracked.add_(1)</c>, two implicitly converted Scalars that can be finalized while libtorch reads them (see
/// <see cref="Scalars"/>). Same parameters, buffers, state-dict keys and results; <c>BatchNorm2d</c> itself is sealed.
/// </summary>
internal sealed class ScalarSafeBatchNorm2d : BatchNorm
{
    /// <summary>Creates the module: affine, tracking running statistics, weight 1 and bias 0.</summary>
    /// <param name="features">The number of channels C of the <c>[N, C, H, W]</c> input.</param>
    /// <param name="eps">The value added to the variance.</param>
    /// <param name="momentum">The running-statistics momentum.</param>
    public ScalarSafeBatchNorm2d(long features, double eps = 1e-5, double momentum = 0.1)
        : base(features, eps, momentum, affine: true, track_running_stats: true, device: null, dtype: null, name: "BatchNorm2d")
    {
    }

    /// <summary>TorchSharp's <c>BatchNorm.forward</c>, with the batch count incremented by cached Scalars.</summary>
    public override Tensor forward(Tensor input)
    {
        ValidateInputDimensions(input);
        var averagingFactor = momentum ?? 0.0;
        if (training && track_running_stats && num_batches_tracked is not null)
        {
            num_batches_tracked.add_(Scalars.One, Scalars.One);
            if (momentum is null)
            {
                averagingFactor = 1.0 / num_batches_tracked.item<long>();
            }
        }

        var batchStatistics = training || (running_mean is null && running_var is null);
        var useRunningStatistics = !training || track_running_stats;
        return functional.batch_norm(
            input,
            useRunningStatistics ? running_mean : null,
            useRunningStatistics ? running_var : null,
            weight,
            bias,
            batchStatistics,
            averagingFactor,
            eps);
    }

    protected override void ValidateInputDimensions(Tensor input)
    {
        if (input.ndim != 4)
        {
            throw new ArgumentException($"Expected a 4D input, got {input.ndim}D.", nameof(input));
        }
    }
}

/// <summary>
/// TorchSharp's <c>LeakyReLU</c> without the Scalar it drops on every forward (its <c>forward</c> converts the <c>double</c>
/// slope implicitly; see <see cref="Scalars"/>): the slope is a cached constant Scalar. Parameterless, like the original.
/// </summary>
internal sealed class ScalarSafeLeakyReLU : ParameterLessModule<Tensor, Tensor>
{
    private readonly Scalar _negativeSlope;

    /// <summary>Creates the module.</summary>
    /// <param name="negativeSlope">The slope for negative inputs: a constant from <see cref="Scalars.Of(double)"/>.</param>
    public ScalarSafeLeakyReLU(Scalar negativeSlope)
        : base("LeakyReLU")
    {
        _negativeSlope = negativeSlope;
    }

    public override Tensor forward(Tensor input) => input.leaky_relu(_negativeSlope);
}
