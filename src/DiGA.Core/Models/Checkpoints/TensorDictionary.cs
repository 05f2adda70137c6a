using static TorchSharp.torch;

namespace DiGA.Core.Models.Checkpoints;

/// <summary>Holds a set of named tensors and disposes them together.</summary>
internal sealed class TensorDictionary(IDictionary<string, Tensor> tensors) : IDisposable
{
    /// <summary>Gets the tensors.</summary>
    public IDictionary<string, Tensor> Tensors { get; } = tensors;

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var tensor in Tensors.Values)
        {
            tensor.Dispose();
        }
    }
}
