using BenchmarkDotNet.Attributes;
using DiGA.Core.Kernels.PseudoLabels;
using static TorchSharp.torch;

namespace DiGA.Core.Benchmarks;

/// <summary>
/// Self-training pseudo-label kernels: the dynamic selection (centroid distances at the
/// feature grid, softmax, bilinear upsampling to the crop, agreement with the offline labels) and the online centroid
/// update (target batch, then source batch).
/// </summary>
[Config(typeof(KernelConfig))]
public class PseudoLabelBenchmarks
{
    private readonly DynamicPseudoLabelSelector _selector = new();
    private Tensor _offline = null!, _features = null!, _initialCentroids = null!;
    private Tensor _selected = null!, _source = null!, _targetFeatures = null!, _sourceFeatures = null!, _targetLogits = null!, _sourceLogits = null!;
    private ClassCentroids _centroids = null!;

    // Each benchmark allocates only its own inputs, drawn as in bench_reference.py, so that the peak RSS compares like with like.
    [GlobalSetup(Target = nameof(Select))]
    public void SetupSelection()
    {
        using var g5 = Inputs.Generator(5);
        _offline = Inputs.BlockLabels(Inputs.Batch, Inputs.Height, Inputs.Width, g5, dense: true);
        _features = randn([Inputs.Batch, Inputs.FeatureChannels, Inputs.FeatureHeight, Inputs.FeatureWidth], generator: g5);
        _initialCentroids = randn([Inputs.Classes, Inputs.FeatureChannels], generator: g5);

        // The selector reads only the shape of the teacher logits.
        _targetLogits = zeros(Inputs.Batch, Inputs.Classes, Inputs.FeatureHeight, Inputs.FeatureWidth);
        _centroids = new ClassCentroids(_initialCentroids);
    }

    [GlobalSetup(Target = nameof(UpdateCentroids))]
    public void SetupCentroids()
    {
        using var g6 = Inputs.Generator(6);
        _selected = Inputs.BlockLabels(Inputs.Batch, Inputs.Height, Inputs.Width, g6);
        _source = Inputs.BlockLabels(Inputs.Batch, Inputs.Height, Inputs.Width, g6);
        _targetFeatures = randn([Inputs.Batch, Inputs.FeatureChannels, Inputs.FeatureHeight, Inputs.FeatureWidth], generator: g6);
        _sourceFeatures = randn([Inputs.Batch, Inputs.FeatureChannels, Inputs.FeatureHeight, Inputs.FeatureWidth], generator: g6);
        _targetLogits = AgreeingLogits(_selected, g6);
        _sourceLogits = AgreeingLogits(_source, g6);
        _initialCentroids = randn([Inputs.Classes, Inputs.FeatureChannels], generator: g6);
        _centroids = new ClassCentroids(_initialCentroids);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var t in new[] { _offline, _features, _initialCentroids, _selected, _source, _targetFeatures, _sourceFeatures, _targetLogits, _sourceLogits })
        {
            t?.Dispose();
        }

        _centroids?.Dispose();
    }

    [Benchmark(Description = "selection.dynamic")]
    public void Select()
    {
        using var scope = NewDisposeScope();
        using var selection = _selector.Select(new PseudoLabelArguments(_offline, _targetLogits, _features) { Centroids = _centroids.Centroids });
    }

    [Benchmark(Description = "centroids.online-update")]
    public void UpdateCentroids()
    {
        using var scope = NewDisposeScope();
        _centroids.Update(_targetFeatures, _targetLogits, _selected);
        _centroids.Update(_sourceFeatures, _sourceLogits, _source);
    }

    /// <summary>Teacher logits at the feature grid that agree with the labels on most pixels, as in training.</summary>
    private static Tensor AgreeingLogits(Tensor labels, Generator generator)
    {
        using var scope = NewDisposeScope();
        var down = nn.functional.interpolate(labels.unsqueeze(1).to(ScalarType.Float32), [Inputs.FeatureHeight, Inputs.FeatureWidth], mode: InterpolationMode.Nearest)
            .squeeze(1).to(ScalarType.Int64).clamp_max(Inputs.Classes - 1);
        var oneHot = nn.functional.one_hot(down, Inputs.Classes).permute(0, 3, 1, 2).to(ScalarType.Float32);
        return oneHot.mul(4).add(randn([Inputs.Batch, Inputs.Classes, Inputs.FeatureHeight, Inputs.FeatureWidth], generator: generator)).MoveToOuterDisposeScope();
    }
}
