using DiGA.Core.Models.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Tests.Fixtures.stages;

/// <summary>One stage-level parity fixture written by <c>generate_stage_fixtures.py</c>: named tensors, disposed together.</summary>
internal sealed class StageFixture : IDisposable
{
    private readonly Dictionary<string, Tensor> _tensors;

    private StageFixture(Dictionary<string, Tensor> tensors) => _tensors = tensors;

    public static StageFixture Load(string name) =>
        new(WeightImporter.ReadStateDict(Path.Combine(AppContext.BaseDirectory, "Fixtures", "stages", name + ".safetensors")));

    public Tensor this[string key] => _tensors.TryGetValue(key, out var tensor)
        ? tensor
        : throw new KeyNotFoundException($"Fixture tensor '{key}' not found; available: {string.Join(", ", _tensors.Keys.Order())}.");

    /// <summary>A uint8 label map as the int64 labels the library takes.</summary>
    public Tensor Labels(string key) => this[key].to(ScalarType.Int64);

    public Tensor Bool(string key) => this[key].to(ScalarType.Bool);

    public double Scalar(string key) => this[key].to(ScalarType.Float64).item<double>();

    public int Int(string key) => (int)this[key].to(ScalarType.Int64).item<long>();

    /// <summary>The entries <c>{prefix}.{key}</c> by key (a model's state dictionary).</summary>
    public IReadOnlyDictionary<string, Tensor> WithPrefix(string prefix) =>
        _tensors.Where(p => p.Key.StartsWith(prefix + ".", StringComparison.Ordinal)).ToDictionary(p => p.Key[(prefix.Length + 1)..], p => p.Value);

    public void Dispose()
    {
        foreach (var tensor in _tensors.Values)
        {
            tensor.Dispose();
        }
    }
}
