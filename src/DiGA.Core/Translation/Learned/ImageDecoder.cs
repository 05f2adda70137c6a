using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace DiGA.Core.Translation.Learned;

/// <summary>
/// Image decoder: 4 residual blocks → [nearest ×2 → CB(4w→2w, 5,1,2, IN, ReLU)] → [nearest ×2 → CB(2w→w, 5,1,2, IN,
/// ReLU)] → CB(w→3, 7,1,3, no norm, tanh); reflect padding. Maps <c>[N, 4w, h, w]</c> to <c>[N, 3, 4h, 4w]</c> in [−1, 1].
/// </summary>
/// <remarks>State-dict keys: <c>model.0.model.{i}.model.{j}.conv.*</c>, <c>model.2.conv.*</c>, <c>model.4.conv.*</c>, <c>model.5.conv.*</c>.</remarks>
internal sealed class ImageDecoder : Module<Tensor, Tensor>
{
    [ComponentName(Name = "model")]
    private readonly Sequential _model;

    public ImageDecoder(long width = 64)
        : base(nameof(ImageDecoder))
    {
        _model = Sequential(
            new ResBlocks(4, 4 * width),
            Upsample(scale_factor: [2.0, 2.0], mode: UpsampleMode.Nearest),
            new Conv2dBlock(4 * width, 2 * width, 5, 1, 2, instanceNorm: true, BlockActivation.Relu, BlockPadding.Reflect),
            Upsample(scale_factor: [2.0, 2.0], mode: UpsampleMode.Nearest),
            new Conv2dBlock(2 * width, width, 5, 1, 2, instanceNorm: true, BlockActivation.Relu, BlockPadding.Reflect),
            new Conv2dBlock(width, 3, 7, 1, 3, instanceNorm: false, BlockActivation.Tanh, BlockPadding.Reflect));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => _model.forward(input);
}
