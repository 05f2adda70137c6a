using DiGA.Core.Foundation;
using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Kernels.Losses;

/// <summary>
/// A per-pixel weighted cross-entropy as one autograd node: <c>L = −Σ_p w_p · log softmax(z_p)[y_p]</c>, with weights that may
/// depend on the ground-truth log-probabilities (OHEM) but carry no gradient.
/// </summary>
/// <remarks>
/// <para>
/// One <c>[N, C, H, W]</c> buffer is all it allocates at the logits' size: the forward pass writes the log-softmax into it,
/// and the backward pass turns it in place into the gradient <c>g · w_p · (softmax(z_p) − onehot(y_p))</c> (<c>exp</c>,
/// a broadcast multiply by the per-pixel scale, a scatter at the labels) and hands it on. The composed form
/// (<c>log_softmax</c>, <c>gather</c>, autograd) allocates three such tensors: the log-softmax, the scattered gradient of the
/// gather and the gradient of the log-softmax. A second backward through the same graph (<c>retain_graph</c>) recomputes the
/// log-softmax from the saved logits (see <see cref="InPlaceGradient"/>). The node is not twice differentiable.
/// </para>
/// <para>
/// The node takes the logits through a same-shape <c>view</c>: libtorch hands the gradient to a leaf through that view's
/// backward, as a fresh view of the buffer that the leaf's <c>grad</c> adopts. Returned directly, the buffer would still be
/// referenced by its managed wrapper, and autograd would clone it into the leaf's <c>grad</c>. That wrapper (in the dispose
/// scope around the <c>backward</c> call) and the saved variable (until the loss is released) keep the buffer until then, not
/// only until the next node has consumed it; in a training iteration that is the rest of the backward pass, which starts with
/// more tensors alive than this node keeps (the compact iterations' peak RSS fell with this node).
/// </para>
/// </remarks>
internal sealed class PixelCrossEntropy : autograd.SingleTensorFunction<PixelCrossEntropy>
{
    /// <inheritdoc />
    public override string Name => nameof(PixelCrossEntropy);

    /// <summary>Computes the weighted loss.</summary>
    /// <param name="logits">Logits <c>[N, C, H, W]</c>.</param>
    /// <param name="labels">Labels <c>[N, 1, H, W]</c> int64, every value in <c>[0, C)</c> (ignored pixels mapped to any class and given weight 0).</param>
    /// <param name="weights">
    /// Maps the ground-truth log-probabilities <c>[N, 1, H, W]</c> to the per-pixel weights <c>[N, 1, H, W]</c> in the logits' dtype.
    /// Runs without gradients.
    /// </param>
    /// <returns>The scalar loss, in the caller's dispose scope.</returns>
    public static Tensor Compute(Tensor logits, Tensor labels, Func<Tensor, Tensor> weights)
    {
        var needsGradient = is_grad_enabled() && logits.requires_grad;
        return apply(needsGradient ? logits.view(logits.shape) : logits, labels, weights, needsGradient);
    }

    /// <inheritdoc />
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var (logits, labels, weightsOf, needsGradient) = ((Tensor)vars[0], (Tensor)vars[1], (Func<Tensor, Tensor>)vars[2], (bool)vars[3]);
        var logProbabilities = nn.functional.log_softmax(logits, 1);
        var picked = logProbabilities.gather(1, labels);
        var weights = weightsOf(picked);
        if (needsGradient)
        {
            ctx.save_for_backward([logProbabilities, labels, weights, InPlaceGradient.Unversioned(logits)]);
            ctx.save_data(nameof(InPlaceGradient.Once), new InPlaceGradient.Once());
        }

        return picked.mul(weights).sum().neg();
    }

    /// <inheritdoc />
    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var saved = ctx.get_saved_variables();
        var (labels, weights) = (saved[1], saved[2]);

        // The saved log-softmax the first time; a fresh one if the graph is run again (retain_graph).
        var buffer = ((InPlaceGradient.Once)ctx.get_data(nameof(InPlaceGradient.Once))).TryTake()
            ? InPlaceGradient.Unversioned(saved[0])
            : nn.functional.log_softmax(saved[3], 1);
        var scale = weights.mul(grad_output);
        buffer.exp_().mul_(scale).scatter_add_(1, labels, scale.neg());
        return [buffer, null!, null!, null!];
    }
}
