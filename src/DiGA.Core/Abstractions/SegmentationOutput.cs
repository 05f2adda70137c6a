using DiGA.Core.Models.DeepLab;
using static TorchSharp.torch;

namespace DiGA.Core;

/// <summary>The output of <see cref="ISegmentationModel.Forward"/>.</summary>
/// <remarks>Owns both tensors: disposing the output disposes them. Detach what you keep with <see cref="Tensor.MoveToOuterDisposeScope"/> semantics or by not disposing.</remarks>
public sealed class SegmentationOutput : IDisposable
{
    /// <summary>Initialises a new output that takes ownership of both tensors.</summary>
    /// <param name="logits">Class logits <c>[N, C, h, w]</c>, float32.</param>
    /// <param name="features">Decoder features <c>[N, D, h, w]</c>, float32, on the same grid as <paramref name="logits"/>.</param>
    public SegmentationOutput(Tensor logits, Tensor features)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(features);
        Logits = logits;
        Features = features;
    }

    /// <summary>Gets the class logits <c>[N, C, h, w]</c>, float32.</summary>
    public Tensor Logits { get; }

    /// <summary>Gets the decoder features <c>[N, D, h, w]</c>, float32 (256-d for DeepLabV2).</summary>
    public Tensor Features { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        Logits.Dispose();
        Features.Dispose();
    }
}
