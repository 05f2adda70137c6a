using DiGA.Core.Tests.Data;
using DiGA.Core.Tests.Helpers;
using DiGA.Core.Training.Pipeline;
using static TorchSharp.torch;

namespace DiGA.Core.Tests.Training.Pipeline;

public sealed class CentroidEstimatorTests : IDisposable
{
    private static readonly string[] Classes = ["a", "b", "c", "d"];
    private readonly TempDirectory _work = new();

    public void Dispose() => _work.Dispose();

    [Fact]
    public async Task EstimateAsync_CentroidsAreTheMeanOverImagesOfEachClasssMeanPredictedFeature()
    {
        using var model = PipelineTestData.Model(Classes, seed: 6);
        var target = PipelineTestData.Scenes().TargetTrain;
        var options = PipelineTestData.Options(_work.Path);
        var estimator = new CentroidEstimator(options);

        using var centroids = await estimator.EstimateAsync(model, target, "round1");

        // By hand, in double precision: per image, the features of each class's predicted pixels are averaged; a class
        // counts in an image with at least MinPixels pixels; its centroid is the plain mean of those per-image means (the
        // running mean's count cap of 3000 is far away), and zero where it never counts.
        int classCount = Classes.Length, channels = model.Info.FeatureChannels;
        var sums = new double[classCount, channels];
        var images = new int[classCount];
        model.Module.eval();
        for (var i = 0; i < target.Count; i++)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            using var input = PipelineTestData.Input(target, i, model);
            using var output = model.Forward(input);
            var features = output.Features[0].to(ScalarType.Float64).reshape(channels, -1).cpu().data<double>().ToArray();
            var predicted = output.Logits[0].argmax(0).flatten().data<long>().ToArray();
            var pixels = predicted.Length;
            for (var k = 0; k < classCount; k++)
            {
                var members = Enumerable.Range(0, pixels).Where(p => predicted[p] == k).ToArray();
                if (members.Length < options.Centroids.MinPixels)
                {
                    continue;
                }

                images[k]++;
                for (var d = 0; d < channels; d++)
                {
                    sums[k, d] += members.Average(p => features[(d * pixels) + p]);
                }
            }
        }

        var expected = new double[classCount * channels];
        for (var k = 0; k < classCount; k++)
        {
            for (var d = 0; d < channels; d++)
            {
                expected[(k * channels) + d] = images[k] == 0 ? 0 : sums[k, d] / images[k];
            }
        }

        images.Count(n => n > 0).Should().BeGreaterThanOrEqualTo(2, "the test needs at least two predicted classes to tell them apart");
        using var expectedTensor = tensor(expected).reshape(classCount, channels);
        // The library sums up to 128 float32 features per class and image (8×16 feature pixels) with a batched matrix
        // product and folds the three images in with float32 weights; each step rounds to ~6e-8 relative, so even 128
        // one-sided roundings stay under 1e-5 of the values (|feature| < 4, centroids up to 1.5; observed 1.9e-7). The same
        // pixels are selected on both sides, because both take the argmax of the same logits (the same forward pass on the
        // same input). Every class is predicted in every image here, so all four rows are checked.
        TensorAssert.Close(centroids.Centroids, expectedTensor, absolute: 1e-6, relative: 1e-5);
        File.Exists(Path.Combine(_work.Path, "centroids", "round1.safetensors")).Should().BeTrue();
    }

    [Fact]
    public async Task EstimateAsync_SecondCall_ReadsTheCachedCentroidsBack()
    {
        using var model = PipelineTestData.Model(Classes, seed: 6);
        var target = PipelineTestData.Scenes().TargetTrain;
        var estimator = new CentroidEstimator(PipelineTestData.Options(_work.Path));
        using var first = await estimator.EstimateAsync(model, target, "round1");

        using var other = PipelineTestData.Model(Classes, seed: 7);
        using var cached = await estimator.EstimateAsync(other, target, "round1");

        // Exact: the cache holds the float32 tensor bit for bit, and a model with other weights would give other centroids.
        TensorAssert.Equal(cached.Centroids, first.Centroids);
    }
}
