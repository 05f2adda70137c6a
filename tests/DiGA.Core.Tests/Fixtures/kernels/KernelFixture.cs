using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace DiGA.Core.Tests.Fixtures.kernels;

/// <summary>One parity fixture written by <c>generate_kernel_fixtures.py</c>: named tensors, disposed together.</summary>
internal sealed class KernelFixture : IDisposable
{
    private readonly Dictionary<string, Tensor> _tensors;

    private KernelFixture(Dictionary<string, Tensor> tensors) => _tensors = tensors;

    public static KernelFixture Load(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "kernels", name + ".safetensors");
        return new KernelFixture(Safetensors.LoadStateDict(path));
    }

    public Tensor this[string key] => _tensors.TryGetValue(key, out var tensor)
        ? tensor
        : throw new KeyNotFoundException($"Fixture tensor '{key}' not found; available: {string.Join(", ", _tensors.Keys)}.");

    public Tensor Bool(string key) => this[key].to(ScalarType.Bool);

    public double Scalar(string key) => this[key].to(ScalarType.Float64).item<double>();

    public void Dispose()
    {
        foreach (var tensor in _tensors.Values)
        {
            tensor.Dispose();
        }
    }
}
