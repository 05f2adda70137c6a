using DiGA.Core.Foundation;
using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Kernels.Distillation;

/// <summary>
/// The symmetric distillation loss as one autograd node:
/// <c>L = T² · (Σ_p w_p·CE(p_T^orig, q_S^mixed) + s · Σ_p w_p·CE(p_T^mixed, q_S^orig))</c> with
/// <c>CE(p, q) = −Σ_c p_c · log q_c</c>, <c>p = softmax(z_T / T)</c>, <c>log q = log_softmax(z_S / T)</c> and per-pixel weights
/// <c>w_p</c> (<c>1/(N·H·W)</c>, or the mask divided by its pixel count).
/// </summary>
/// <remarks>
/// <para>
/// Each direction allocates two tensors of the logits' size: the teacher's softmax, freed before the next direction, and the
/// student's log-softmax, which becomes the student's gradient. The per-direction sum <c>Σ_p w_p Σ_c p·log q</c> is a batched dot
/// product over each class plane (no product tensor); then the log-softmax buffer becomes <c>softmax(z_S/T) − p</c> in place, and
/// the backward pass scales it by <c>g · T · w_p</c> (times <c>s</c> for the reverse direction). The teacher distribution sums
/// to 1 over the classes, so this is the exact gradient of the soft-target cross-entropy. The composed form allocates five such
/// tensors per direction (the two distributions, their product, and two gradients).
/// </para>
/// <para>
/// A second backward through the same graph (<c>retain_graph</c>) recomputes the differences from the saved logits (see
/// <see cref="InPlaceGradient"/>); the node is not twice differentiable. The students enter through same-shape views so that a
/// leaf's <c>grad</c> adopts the buffer instead of a clone (see <c>PixelCrossEntropy</c>).
/// </para>
/// </remarks>
internal sealed class SymmetricDistillationFunction : autograd.SingleTensorFunction<SymmetricDistillationFunction>
{
    private const string ReverseWeightKey = "reverseWeight", TemperatureKey = "temperature";

    /// <inheritdoc />
    public override string Name => nameof(SymmetricDistillationFunction);

    /// <summary>Computes the loss.</summary>
    /// <param name="arguments">The four logits <c>[N, C, H, W]</c> and the optional mask (checked by the caller).</param>
    /// <param name="reverseWeight">The weight <c>s</c> of the reverse direction.</param>
    /// <param name="temperature">The temperature <c>T</c>.</param>
    /// <returns>The scalar loss, in the caller's dispose scope.</returns>
    public static Tensor Compute(in DistillationArguments arguments, double reverseWeight, double temperature)
    {
        var (studentOriginal, studentMixed) = (arguments.StudentOriginal, arguments.StudentMixed);
        var needsGradient = is_grad_enabled() && (studentOriginal.requires_grad || studentMixed.requires_grad);
        if (needsGradient)
        {
            studentOriginal = studentOriginal.view(studentOriginal.shape);
            studentMixed = studentMixed.view(studentMixed.shape);
        }

        return apply(
            studentOriginal, studentMixed, arguments.TeacherOriginal.detach(), arguments.TeacherMixed.detach(), arguments.ValidMask,
            reverseWeight, temperature, needsGradient);
    }

    /// <inheritdoc />
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var (studentOriginal, studentMixed, teacherOriginal, teacherMixed) = ((Tensor)vars[0], (Tensor)vars[1], (Tensor)vars[2], (Tensor)vars[3]);
        var (mask, reverseWeight, temperature, needsGradient) = ((Tensor?)vars[4], (double)vars[5], (double)vars[6], (bool)vars[7]);

        // Per-pixel weights w_p = mask_p · factor: the mask [N, 1, H, W] (when set) enters the sums, the factor (1/(N·H·W) or one over
        // the mask's pixel count) scales the result.
        var shape = studentOriginal.shape;
        var dtype = studentOriginal.dtype;
        var maskWeights = mask?.unsqueeze(1).to(dtype);
        var factor = mask is null
            ? tensor(1.0 / (shape[0] * shape[2] * shape[3]), dtype, studentOriginal.device)
            : mask.sum().clamp_min(Scalars.Of(1)).to(dtype).reciprocal();

        var forward = Direction(teacherOriginal, studentMixed, maskWeights, temperature, needsGradient, out var forwardSum);
        var reverse = Direction(teacherMixed, studentOriginal, maskWeights, temperature, needsGradient, out var reverseSum);
        if (needsGradient)
        {
            ctx.save_for_backward([
                reverse!, forward!, maskWeights is null ? factor : maskWeights.mul(factor), maskWeights!,
                InPlaceGradient.Unversioned(studentOriginal), InPlaceGradient.Unversioned(studentMixed),
                InPlaceGradient.Unversioned(teacherOriginal), InPlaceGradient.Unversioned(teacherMixed)]);
            ctx.save_data(ReverseWeightKey, reverseWeight);
            ctx.save_data(TemperatureKey, temperature);
            ctx.save_data(nameof(InPlaceGradient.Once), new InPlaceGradient.Once());
        }

        using var reverseScale = Scalars.Create(reverseWeight);
        using var temperatureSquared = Scalars.Create(temperature * temperature);
        var loss = forwardSum.add(reverseSum, reverseScale).mul(factor).neg_();
        return temperature == 1.0 ? loss : loss.mul_(temperatureSquared);
    }

    /// <inheritdoc />
    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var saved = ctx.get_saved_variables();
        var reverseWeight = (double)ctx.get_data(ReverseWeightKey);
        var temperature = (double)ctx.get_data(TemperatureKey);
        Tensor original, mixed;
        if (((InPlaceGradient.Once)ctx.get_data(nameof(InPlaceGradient.Once))).TryTake())
        {
            (original, mixed) = (InPlaceGradient.Unversioned(saved[0]), InPlaceGradient.Unversioned(saved[1]));
        }
        else
        {
            // The graph is run again (retain_graph): the saved buffers already hold a gradient, so the differences are recomputed.
            var mask = saved[3];
            mixed = Direction(saved[6], saved[5], mask, temperature, needsGradient: true, out _)!;
            original = Direction(saved[7], saved[4], mask, temperature, needsGradient: true, out _)!;
        }

        // d/dz_S of −T²·w·Σ_c p·log_softmax(z_S/T) = T·w·(softmax(z_S/T) − p): the buffers hold the difference.
        using var temperatureScale = Scalars.Create(temperature);
        using var reverseScale = Scalars.Create(reverseWeight);
        var scale = saved[2].mul(grad_output).mul_(temperatureScale);
        mixed.mul_(scale);
        original.mul_(scale.mul_(reverseScale));
        return [original, mixed, null!, null!, null!, null!, null!, null!];
    }

    /// <summary>
    /// <c>Σ_p m_p Σ_c p·log q</c> for one direction (<c>m</c> the mask, or 1) and, when a gradient is needed, the student's buffer
    /// holding <c>softmax(z_S/T) − m·p</c>.
    /// </summary>
    private static Tensor? Direction(Tensor teacher, Tensor student, Tensor? mask, double temperature, bool needsGradient, out Tensor sum)
    {
        using var scope = NewDisposeScope();
        using var temperatureScale = Scalars.Create(temperature);
        var target = nn.functional.softmax(temperature == 1.0 ? teacher : teacher.div(temperatureScale), 1);
        var logProbabilities = nn.functional.log_softmax(temperature == 1.0 ? student : student.div(temperatureScale), 1);

        // Masked pixels get p = 0: they drop out of the sum, and their gradient (softmax(z_S/T) there) is zeroed by the backward scale.
        target = mask is null ? target : target.mul_(mask);

        // Σ over pixels and classes of p·log q as one dot product per class plane, summed: no product tensor, and partial sums of
        // H·W terms, so float32 keeps the accuracy of sum() (a single dot over all N·C·H·W terms drifts by ~1e-6 relative).
        var planes = target.shape[0] * target.shape[1];
        sum = bmm(target.reshape(planes, 1, -1), logProbabilities.reshape(planes, -1, 1)).sum().MoveToOuterDisposeScope();
        return needsGradient ? logProbabilities.exp_().sub_(target).MoveToOuterDisposeScope() : null;
    }
}
