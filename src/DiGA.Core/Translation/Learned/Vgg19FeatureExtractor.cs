using DiGA.Core.Foundation;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace DiGA.Core.Translation.Learned;

/// <summary>
/// The reference perceptual features: torchvision VGG19 <c>features</c> slices <c>[0:2]</c>, <c>[2:7]</c>, <c>[7:12]</c>,
/// <c>[12:21]</c>, <c>[21:30]</c> (relu1_1 … relu5_1; 64, 128, 256, 512 and 512 channels), frozen, in eval mode.
/// </summary>
/// <remarks>
/// Images are fed as given (no ImageNet normalisation, BGR order), as the reference does. The classifier part of VGG19
/// is released right after loading. Dispose the extractor to free the network.
/// </remarks>
public sealed class Vgg19FeatureExtractor : IPerceptualFeatureExtractor, IDisposable
{
    private static readonly int[] SliceEnds = [2, 7, 12, 21, 30];
    private readonly TorchSharp.Modules.VGG _vgg;
    private readonly List<Module<Tensor, Tensor>> _layers;

    /// <summary>Creates the extractor.</summary>
    /// <param name="weightsPath">
    /// ImageNet VGG19 weights: the PyTorch state dict torchvision publishes (<c>vgg19-dcbb9e9d.pth</c>, read directly), or
    /// a TorchSharp-format file (<c>.dat</c>). Null gives random weights, which is only meaningful in tests.
    /// </param>
    /// <param name="device">The device; CPU when null.</param>
    /// <exception cref="FileNotFoundException">The weights file does not exist.</exception>
    public Vgg19FeatureExtractor(string? weightsPath = null, Device? device = null)
    {
        if (weightsPath is not null && !File.Exists(weightsPath))
        {
            throw new FileNotFoundException($"VGG19 weights file '{weightsPath}' does not exist.", weightsPath);
        }

        var torchSharpFormat = weightsPath is not null && weightsPath.EndsWith(".dat", StringComparison.OrdinalIgnoreCase);
        _vgg = torchvision.models.vgg19(weights_file: torchSharpFormat ? weightsPath : null, skipfc: false);
        if (weightsPath is not null && !torchSharpFormat)
        {
            _vgg.load_py(weightsPath, strict: false);
        }

        var children = _vgg.named_children().ToDictionary(child => child.name, child => child.module);
        children["avgpool"].Dispose();
        children["classifier"].Dispose();
        var features = (TorchSharp.Modules.Sequential)children["features"];
        foreach (var parameter in features.parameters())
        {
            parameter.requires_grad = false;
        }

        features.eval();
        if (device is not null)
        {
            features.to(device);
        }

        _layers = features.children().Cast<Module<Tensor, Tensor>>().Take(SliceEnds[^1]).ToList();
    }

    /// <inheritdoc />
    /// <returns>Five fresh maps: <c>[N, 64, H, W]</c>, <c>[N, 128, H/2, W/2]</c>, <c>[N, 256, H/4, W/4]</c>, <c>[N, 512, H/8, W/8]</c>, <c>[N, 512, H/16, W/16]</c>.</returns>
    public IReadOnlyList<Tensor> Extract(Tensor images)
    {
        Guard.Images(images, nameof(images));
        var outputs = new List<Tensor>(SliceEnds.Length);
        using var scope = NewDisposeScope();
        var x = images;
        var slice = 0;
        for (var i = 0; i < _layers.Count; i++)
        {
            x = _layers[i].forward(x);
            if (i + 1 == SliceEnds[slice])
            {
                // The in-place ReLUs of the next slice act on fresh conv outputs, so a slice output is never overwritten.
                outputs.Add(x.MoveToOuterDisposeScope());
                slice++;
            }
        }

        return outputs;
    }

    /// <inheritdoc />
    public void Dispose() => _vgg.Dispose();
}
