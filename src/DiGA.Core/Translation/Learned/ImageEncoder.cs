using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace DiGA.Core.Translation.Learned;

/// <summary>
/// Image encoder: CB(3→w, 7,1,3) → CB(w→2w, 4,2,1) → CB(2w→4w, 4,2,1) → 4 residual blocks; instance norm, ReLU,
/// reflect padding (w = 64 in the reference). Maps <c>[N, 3, H, W]</c> to <c>[N, 4w, H/4, W/4]</c>.
/// </summary>
/// <remarks>State-dict keys: <c>model.0.conv.*</c>, <c>model.1.conv.*</c>, <c>model.2.conv.*</c>, <c>model.3.model.{i}.model.{j}.conv.*</c>.</remarks>
internal sealed class ImageEncoder : Module<Tensor, Tensor>
{
    [ComponentName(Name = "model")]
    private readonly Sequential _model;

    public ImageEncoder(long width = 64)
        : base(nameof(ImageEncoder))
    {
        _model = Sequential(
            new Conv2dBlock(3, width, 7, 1, 3, instanceNorm: true, BlockActivation.Relu, BlockPadding.Reflect),
            new Conv2dBlock(width, 2 * width, 4, 2, 1, instanceNorm: true, BlockActivation.Relu, BlockPadding.Reflect),
            new Conv2dBlock(2 * width, 4 * width, 4, 2, 1, instanceNorm: true, BlockActivation.Relu, BlockPadding.Reflect),
            new ResBlocks(4, 4 * width));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => _model.forward(input);
}
