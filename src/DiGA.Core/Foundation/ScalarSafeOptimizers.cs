using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiGA.Core.Foundation;

// TorchSharp's SGD, Adam and AdamW convert every hyper-parameter to a Scalar implicitly, for every parameter on every step
// (add_(grad, alpha: lr), mul_(beta1), …): millions of Scalars over a training run, each collectable while libtorch reads it
// (see Scalars). These subclasses keep TorchSharp's constructors, parameter groups, state and state-dict format and replace
// only step(): the same operations in the same order with the same Scalar types (Float64 hyper-parameters, the Int32 alpha 1),
// so the updates are bit-identical, each Scalar held in a using local until the native calls have returned.

/// <summary>TorchSharp's <c>SGD</c> (momentum, dampening, weight decay, Nesterov, maximise) with a Scalar-safe <c>step</c>.</summary>
internal sealed class ScalarSafeSgd : SGD
{
    /// <summary>Creates the optimiser over <paramref name="groups"/>; group options left unset take these defaults.</summary>
    /// <param name="groups">The parameter groups.</param>
    /// <param name="learningRate">The default learning rate.</param>
    /// <param name="momentum">The default momentum.</param>
    /// <param name="dampening">The default dampening.</param>
    /// <param name="weightDecay">The default weight decay (L2 penalty).</param>
    public ScalarSafeSgd(IEnumerable<ParamGroup> groups, double learningRate, double momentum, double dampening, double weightDecay)
        : base(groups, learningRate, momentum, dampening, weightDecay)
    {
    }

    /// <summary>One update: <c>d = g + wd·p</c>; <c>buf = d</c> on the first step, else <c>buf = m·buf + (1 − dampening)·d</c>; <c>p −= lr·buf</c> (or <c>d + m·buf</c> with Nesterov).</summary>
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(
        group =>
        {
            var options = group.Options;
            var momentum = options.momentum!.Value;
            var weightDecay = options.weight_decay!.Value;
            var nesterov = options.nesterov!.Value;
            var learningRate = options.LearningRate!.Value;
            using var weightDecayScalar = Scalars.Create(weightDecay);
            using var momentumScalar = Scalars.Create(momentum);
            using var undamped = Scalars.Create(1 - options.dampening!.Value);
            using var descent = Scalars.Create(options.maximize!.Value ? learningRate : -learningRate);
            foreach (var parameter in group.Parameters)
            {
                var state = (State)_state[parameter.Handle];
                var grad = parameter.grad;
                if (grad is null)
                {
                    continue;
                }

                if (weightDecay != 0)
                {
                    grad = grad.add(parameter, weightDecayScalar);
                }

                if (momentum != 0)
                {
                    var buffer = state.momentum_buffer;
                    if (buffer is null)
                    {
                        buffer = grad.clone().detach().DetachFromDisposeScope();
                        state.momentum_buffer = buffer;
                    }
                    else
                    {
                        buffer.mul_(momentumScalar).add_(grad, undamped);
                    }

                    grad = nesterov ? grad.add(buffer, momentumScalar) : buffer;
                }

                parameter.add_(grad, descent);
            }
        },
        closure);
}

/// <summary>TorchSharp's <c>Adam</c> (L2 weight decay added to the gradient, AMSGrad, maximise) with a Scalar-safe <c>step</c>.</summary>
internal sealed class ScalarSafeAdam : Adam
{
    /// <summary>Creates the optimiser over one parameter group.</summary>
    /// <param name="parameters">The parameters.</param>
    /// <param name="learningRate">The learning rate.</param>
    /// <param name="beta1">The decay of the first moment.</param>
    /// <param name="beta2">The decay of the second moment.</param>
    /// <param name="eps">The term added to the denominator.</param>
    /// <param name="weightDecay">The L2 penalty added to the gradient.</param>
    /// <param name="amsgrad">Whether to divide by the running maximum of the second moment.</param>
    /// <param name="maximize">Whether to ascend instead of descend.</param>
    public ScalarSafeAdam(IEnumerable<Parameter> parameters, double learningRate, double beta1, double beta2, double eps = 1e-8, double weightDecay = 0, bool amsgrad = false, bool maximize = false)
        : base(parameters, learningRate, beta1, beta2, eps, weightDecay, amsgrad, maximize)
    {
    }

    /// <summary>One update: <c>g += wd·p</c>, then <see cref="AdamUpdate"/>.</summary>
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(
        group =>
        {
            var options = group.Options;
            var (beta1, beta2, weightDecay) = (options.beta1!.Value, options.beta2!.Value, options.weight_decay!.Value);
            using var beta1Scalar = Scalars.Create(beta1);
            using var oneMinusBeta1 = Scalars.Create(1 - beta1);
            using var beta2Scalar = Scalars.Create(beta2);
            using var oneMinusBeta2 = Scalars.Create(1 - beta2);
            using var eps = Scalars.Create(options.eps!.Value);
            using var weightDecayScalar = Scalars.Create(weightDecay);
            foreach (var parameter in group.Parameters)
            {
                var state = (State)_state[parameter.Handle];
                var grad = parameter.grad;
                if (grad is null)
                {
                    continue;
                }

                if (options.maximize!.Value)
                {
                    grad = grad.neg();
                }

                state.step += 1;
                if (weightDecay != 0)
                {
                    grad = grad.add(parameter, weightDecayScalar);
                }

                state.exp_avg.mul_(beta1Scalar).add_(grad, oneMinusBeta1);
                state.exp_avg_sq.mul_(beta2Scalar).addcmul_(grad, grad.conj(), oneMinusBeta2);
                var secondMoment = options.amsgrad!.Value ? state.max_exp_avg_sq = AdamUpdate.RunningMaximum(state.max_exp_avg_sq, state.exp_avg_sq) : state.exp_avg_sq;
                AdamUpdate.Apply(parameter, state.exp_avg, secondMoment, eps, options.LearningRate!.Value, beta1, beta2, state.step);
            }
        },
        closure);
}

/// <summary>TorchSharp's <c>AdamW</c> (decoupled weight decay, AMSGrad, maximise) with a Scalar-safe <c>step</c>.</summary>
internal sealed class ScalarSafeAdamW : AdamW
{
    /// <summary>Creates the optimiser over <paramref name="groups"/>; group options left unset take these defaults.</summary>
    /// <param name="groups">The parameter groups.</param>
    /// <param name="learningRate">The default learning rate.</param>
    /// <param name="weightDecay">The default decoupled weight decay.</param>
    public ScalarSafeAdamW(IEnumerable<ParamGroup> groups, double learningRate, double weightDecay)
        : base(groups, learningRate, weight_decay: weightDecay)
    {
    }

    /// <summary>One update: <c>p ·= 1 − lr·wd</c>, then <see cref="AdamUpdate"/>.</summary>
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(
        group =>
        {
            var options = group.Options;
            var (beta1, beta2, learningRate) = (options.beta1!.Value, options.beta2!.Value, options.LearningRate!.Value);
            using var beta1Scalar = Scalars.Create(beta1);
            using var oneMinusBeta1 = Scalars.Create(1 - beta1);
            using var beta2Scalar = Scalars.Create(beta2);
            using var oneMinusBeta2 = Scalars.Create(1 - beta2);
            using var eps = Scalars.Create(options.eps!.Value);
            using var decay = Scalars.Create(1 - (learningRate * options.weight_decay!.Value));
            foreach (var parameter in group.Parameters)
            {
                var state = (State)_state[parameter.Handle];
                var grad = parameter.grad;
                if (grad is null)
                {
                    continue;
                }

                if (options.maximize!.Value)
                {
                    grad = grad.neg();
                }

                state.step += 1;
                parameter.mul_(decay);
                state.exp_avg.mul_(beta1Scalar).add_(grad, oneMinusBeta1);
                state.exp_avg_sq.mul_(beta2Scalar).addcmul_(grad, grad, oneMinusBeta2);
                var secondMoment = options.amsgrad!.Value ? state.max_exp_avg_sq = AdamUpdate.RunningMaximum(state.max_exp_avg_sq, state.exp_avg_sq) : state.exp_avg_sq;
                AdamUpdate.Apply(parameter, state.exp_avg, secondMoment, eps, learningRate, beta1, beta2, state.step);
            }
        },
        closure);
}

/// <summary>The bias-corrected parameter update that Adam and AdamW share.</summary>
internal static class AdamUpdate
{
    /// <summary><c>p −= lr/(1 − β₁ᵗ) · m / (√v/√(1 − β₂ᵗ) + ε)</c>, in TorchSharp's order of operations.</summary>
    public static void Apply(Tensor parameter, Tensor firstMoment, Tensor secondMoment, Scalar eps, double learningRate, double beta1, double beta2, long step)
    {
        using var secondCorrection = Scalars.Create(Math.Sqrt(1 - Math.Pow(beta2, step)));
        using var stepSize = Scalars.Create(-(learningRate / (1 - Math.Pow(beta1, step))));
        var denominator = secondMoment.sqrt().div(secondCorrection).add_(eps, Scalars.One);
        parameter.addcdiv_(firstMoment, denominator, stepSize);
    }

    /// <summary>The element-wise maximum of the running maximum and the second moment (AMSGrad), outside any dispose scope; disposes the previous maximum.</summary>
    public static Tensor RunningMaximum(Tensor previous, Tensor secondMoment)
    {
        var maximum = torch.maximum(previous, secondMoment).DetachFromDisposeScope();
        previous.Dispose();
        return maximum;
    }
}
