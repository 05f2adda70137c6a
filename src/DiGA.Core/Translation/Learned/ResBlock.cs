using DiGA.Core.Foundation;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace DiGA.Core.Translation.Learned;

/// <summary>Residual block: <c>x + CB(3,1,1, IN, none)(CB(3,1,1, IN, ReLU)(x))</c>, reflect padding.</summary>
/// <remarks>State-dict keys: <c>model.0.conv.*</c>, <c>model.1.conv.*</c>.</remarks>
internal sealed class ResBlock : Module<Tensor, Tensor>
{
    [ComponentName(Name = "model")]
    private readonly Sequential _model;

    public ResBlock(long channels)
        : base(nameof(ResBlock))
    {
        _model = Sequential(
            new Conv2dBlock(channels, channels, 3, 1, 1, instanceNorm: true, BlockActivation.Relu, BlockPadding.Reflect),
            new Conv2dBlock(channels, channels, 3, 1, 1, instanceNorm: true, BlockActivation.None, BlockPadding.Reflect));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return _model.forward(input).add_(input, Scalars.One).MoveToOuterDisposeScope();
    }
}

/// <summary>A stack of <see cref="ResBlock"/>s. State-dict keys: <c>model.{i}.model.{j}.conv.*</c>.</summary>
internal sealed class ResBlocks : Module<Tensor, Tensor>
{
    [ComponentName(Name = "model")]
    private readonly Sequential _model;

    public ResBlocks(int count, long channels)
        : base(nameof(ResBlocks))
    {
        _model = Sequential(Enumerable.Range(0, count).Select(_ => (Module<Tensor, Tensor>)new ResBlock(channels)).ToArray());
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => _model.forward(input);
}
