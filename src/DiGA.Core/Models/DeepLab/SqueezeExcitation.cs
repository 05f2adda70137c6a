using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace DiGA.Core.Models.DeepLab;

/// <summary>Channel attention: <c>x ⊙ Sigmoid(Linear(ReLU(Linear(GAP(x)))))</c>; keys <c>se.0.*</c> and <c>se.2.*</c>.</summary>
internal sealed class SqueezeExcitation : Module<Tensor, Tensor>
{
    [ComponentName(Name = "se")]
    private readonly Sequential _se;

    public SqueezeExcitation(long channels, long hidden)
        : base(nameof(SqueezeExcitation))
    {
        _se = Sequential(Linear(channels, hidden), ReLU(), Linear(hidden, channels), Sigmoid());
        RegisterComponents();
    }

    /// <summary>Gets the two linear layers.</summary>
    public IEnumerable<Linear> Linears => [(Linear)_se[0], (Linear)_se[2]];

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var pooled = input.mean([2, 3]);
        var weights = _se.forward(pooled).unsqueeze(-1).unsqueeze(-1);
        return input.mul(weights).MoveToOuterDisposeScope();
    }
}
