using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core;

/// <summary>A semantic segmentation network that returns class logits and the decoder features used by class centroids.</summary>
/// <remarks>
/// Images are <c>[N, 3, H, W]</c> float32 tensors on the model's device, normalised as <see cref="SegmentationModelInfo.Normalization"/>
/// describes. The model never disposes its input. Instances are not thread-safe: one training or inference thread at a time.
/// Disposing the model disposes its parameters and buffers.
/// </remarks>
public interface ISegmentationModel : IDisposable
{
    /// <summary>Gets what is needed to rebuild and to feed the model: architecture, classes and input normalisation.</summary>
    SegmentationModelInfo Info { get; }

    /// <summary>Gets the device of the model's parameters; the model's inputs must be there.</summary>
    Device Device { get; }

    /// <summary>Gets the trainable module: its parameters, buffers, train/eval mode and state dictionary.</summary>
    nn.Module Module { get; }

    /// <summary>Runs the network.</summary>
    /// <param name="images">Input batch <c>[N, 3, H, W]</c>, float32, on the model's device.</param>
    /// <returns>
    /// Fresh logits <c>[N, C, h, w]</c> and features <c>[N, D, h, w]</c> at the model's output resolution (stride
    /// <see cref="SegmentationModelInfo.OutputStride"/>; inference decorators document their own resolution), owned by the caller.
    /// </returns>
    SegmentationOutput Forward(Tensor images);

    /// <summary>Creates an independent deep copy with the same architecture, weights, buffers and mode, on the same device.</summary>
    /// <returns>A new model owned by the caller; used for EMA teachers.</returns>
    ISegmentationModel Clone();

    /// <summary>Gets the optimiser parameter groups with their learning-rate multipliers (for example backbone 1×, head 10×).</summary>
    /// <returns>The groups, which together hold every trainable parameter exactly once.</returns>
    IReadOnlyList<ModelParameterGroup> GetParameterGroups();
}
