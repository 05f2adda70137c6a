using DiGA.Core.Data;
using DiGA.Core.Data.Transforms;
using DiGA.Core.Kernels.PseudoLabels;
using DiGA.Core.Models.Inference;
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
        var inputs = Inputs(target, model);
        var (expected, counted) = ByHand(model, inputs, passes: 1, options.Centroids);
        foreach (var input in inputs)
        {
            input.Dispose();
        }

        counted.Should().BeGreaterThanOrEqualTo(2, "the test needs at least two predicted classes to tell them apart");
        using var expectedTensor = tensor(expected).reshape(Classes.Length, model.Info.FeatureChannels);
        // The library sums up to 128 float32 features per class and image (8×16 feature pixels) with a batched matrix
        // product and folds the three images in with float32 weights; each step rounds to ~6e-8 relative, so even 128
        // one-sided roundings stay under 1e-5 of the values (|feature| < 4, centroids up to 1.5; observed 1.9e-7). The same
        // pixels are selected on both sides, because both take the argmax of the same logits (the same forward pass on the
        // same input). Every class is predicted in every image here, so all four rows are checked.
        TensorAssert.Close(centroids.Centroids, expectedTensor, absolute: 1e-6, relative: 1e-5);
        File.Exists(Path.Combine(_work.Path, "centroids", "round1.safetensors")).Should().BeTrue();
    }

    [Fact]
    public async Task EstimateAsync_FivePasses_EqualFiveSequentialPassesOfTheCappedRunningMean()
    {
        using var model = PipelineTestData.Model(Classes, seed: 6);
        var target = PipelineTestData.Scenes().TargetTrain;
        var options = PipelineTestData.Options(_work.Path);
        // Three images and a cap of 4: a class predicted in every image reaches the cap in the second pass, after which
        // each update is the moving average c ← (4c + v)/5 that the reference's cap of 3000 gives on Cityscapes.
        options.Centroids.CountCap = 4;
        options.InitialCentroids.Passes = 5;
        using var five = await new CentroidEstimator(options).EstimateAsync(model, target, "five");
        options.InitialCentroids.Passes = 1;
        using var one = await new CentroidEstimator(options).EstimateAsync(model, target, "one");

        // Five single passes through the public running mean, its state (centroids and counts) carried from pass to pass.
        using var sequential = ClassCentroids.Zeros(Classes.Length, model.Info.FeatureChannels, model.Device, options.Centroids);
        var inputs = Inputs(target, model);
        model.Module.eval();
        for (var pass = 0; pass < 5; pass++)
        {
            foreach (var input in inputs)
            {
                using var noGrad = no_grad();
                using var output = model.Forward(input);
                sequential.Accumulate(output.Features, output.Logits);
            }
        }

        // Exact: the estimator folds in the per-image class means of one forward pass five times, and eval mode makes every
        // forward pass of an image give the same features, so both sides run the same float32 operations on the same values.
        TensorAssert.Equal(five.Centroids, sequential.Centroids);

        // The same rule restated in double precision: c_k ← (n_k·c_k + v)/(n_k + 1), n_k ← min(n_k + 1, cap), over the
        // sequence of 15 images. Tolerance as in the single-pass test: each of the 15 float32 updates rounds to ~6e-8
        // relative and shrinks earlier errors by n/(n + 1), so the error stays near that of one pass (observed 3.4e-7 on
        // centroids up to 1.49).
        var (expected, counted) = ByHand(model, inputs, passes: 5, options.Centroids);
        counted.Should().BeGreaterThanOrEqualTo(2);
        using var expectedTensor = tensor(expected).reshape(Classes.Length, model.Info.FeatureChannels);
        TensorAssert.Close(five.Centroids, expectedTensor, absolute: 1e-6, relative: 1e-5);

        // The passes matter: with the cap reached, five passes weigh the later images more than the plain mean of one pass
        // (observed difference 0.061).
        using var change = (five.Centroids - one.Centroids).abs().max();
        change.item<float>().Should().BeGreaterThan(1e-3f);
        foreach (var input in inputs)
        {
            input.Dispose();
        }
    }

    [Fact]
    public async Task EstimateAsync_PreResize_RunsTheModelOnImagesOfThatSize_AndFeaturesShrinkByTheOutputStride()
    {
        using var inner = PipelineTestData.Model(Classes, seed: 6);
        using var model = new RecordingModel(inner);
        var target = PipelineTestData.Scenes().TargetTrain; // 32×64 images
        var options = PipelineTestData.Options(_work.Path);
        using var loaded = await new CentroidEstimator(options).EstimateAsync(model, target, "loaded");
        var loadedFeatures = model.FeatureShapes.ToArray();
        model.Clear();
        options.InitialCentroids.ResizeHeight = 16;
        options.InitialCentroids.ResizeWidth = 32;

        using var resized = await new CentroidEstimator(options).EstimateAsync(model, target, "resized");

        // Output stride 2: 32×64 images give 16×32 features, 16×32 images give 8×16 (as 512×1024 gives DeepLabV2's 65×129 at stride 8).
        long channels = inner.Info.FeatureChannels;
        loadedFeatures.Should().HaveCount(3).And.AllSatisfy(shape => shape.Should().Equal(1, channels, 16, 32));
        model.InputShapes.Should().HaveCount(3).And.AllSatisfy(shape => shape.Should().Equal(1, 3, 16, 32));
        model.FeatureShapes.Should().HaveCount(3).And.AllSatisfy(shape => shape.Should().Equal(1, channels, 8, 16));

        // The centroids are those of the resized images (bicubic, antialiased: the Resize transform), by hand as above;
        // with 128 feature pixels per image the sums are shorter than in the single-pass test, so its tolerance holds
        // (observed 1.2e-7; the loaded-size centroids differ by up to 1.49).
        var resizer = new Resize(16, 32);
        var inputs = Enumerable.Range(0, target.Count).Select(i =>
        {
            var sample = resizer.Apply(target.Load(i), new Random(0));
            return inner.Info.Normalization.Normalize(sample.Image, sample.Height, sample.Width);
        }).ToArray();
        var (expected, counted) = ByHand(inner, inputs, passes: 1, options.Centroids);
        counted.Should().BeGreaterThanOrEqualTo(2);
        using var expectedTensor = tensor(expected).reshape(Classes.Length, inner.Info.FeatureChannels);
        TensorAssert.Close(resized.Centroids, expectedTensor, absolute: 1e-6, relative: 1e-5);
        using var change = (resized.Centroids - loaded.Centroids).abs().max();
        change.item<float>().Should().BeGreaterThan(1e-3f, "the resized images give other features");
        foreach (var input in inputs)
        {
            input.Dispose();
        }
    }

    [Theory]
    [InlineData(16, null, 1, "ResizeWidth")]
    [InlineData(null, 32, 1, "ResizeHeight")]
    [InlineData(4, 32, 1, "ResizeHeight")]
    [InlineData(null, null, 0, "Passes")]
    public async Task EstimateAsync_InvalidInitialCentroidOptions_ThrowsNamingTheOption(int? height, int? width, int passes, string option)
    {
        using var model = PipelineTestData.Model(Classes, seed: 6);
        var options = PipelineTestData.Options(_work.Path);
        options.InitialCentroids.ResizeHeight = height;
        options.InitialCentroids.ResizeWidth = width;
        options.InitialCentroids.Passes = passes;

        var act = () => new CentroidEstimator(options).EstimateAsync(model, PipelineTestData.Scenes().TargetTrain, "invalid");

        (await act.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("InitialCentroid").And.Contain(option);
        Directory.Exists(Path.Combine(_work.Path, "centroids")).Should().BeFalse("nothing is computed");
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

    [Fact]
    public async Task EstimateAsync_CacheOfOtherSettings_ThrowsInsteadOfReusingIt()
    {
        using var model = PipelineTestData.Model(Classes, seed: 6);
        var target = PipelineTestData.Scenes().TargetTrain;
        var options = PipelineTestData.Options(_work.Path);
        using var first = await new CentroidEstimator(options).EstimateAsync(model, target, "round1");
        options.InitialCentroids.Passes = 5;

        var act = () => new CentroidEstimator(options).EstimateAsync(model, target, "round1");

        (await act.Should().ThrowAsync<InvalidDataException>()).Which.Message.Should().Contain("1 pass(es)").And.Contain("5 pass(es)").And.Contain("delete it");
    }

    private static Tensor[] Inputs(ISegmentationDataset target, ISegmentationModel model) =>
        [.. Enumerable.Range(0, target.Count).Select(i => PipelineTestData.Input(target, i, model))];

    /// <summary>
    /// The reference's running mean in double precision: per image, the mean feature of each class's predicted pixels
    /// counts when the class has at least MinPixels pixels and the mean does not sum to zero; then
    /// c_k ← (n_k·c_k + v)/(n_k + 1), n_k ← min(n_k + 1, CountCap), over <paramref name="passes"/> passes of the images.
    /// </summary>
    /// <returns>The centroids [C·D] and the number of classes that counted at least once.</returns>
    private static (double[] Centroids, int Counted) ByHand(ISegmentationModel model, IReadOnlyList<Tensor> inputs, int passes, ClassCentroidOptions options)
    {
        int classCount = model.Info.ClassCount, channels = model.Info.FeatureChannels;
        var perImage = new List<double[]?[]>();
        model.Module.eval();
        foreach (var input in inputs)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            using var output = model.Forward(input);
            var features = output.Features[0].to(ScalarType.Float64).reshape(channels, -1).cpu().data<double>().ToArray();
            var predicted = output.Logits[0].argmax(0).flatten().data<long>().ToArray();
            var pixels = predicted.Length;
            var means = new double[]?[classCount];
            for (var k = 0; k < classCount; k++)
            {
                var members = Enumerable.Range(0, pixels).Where(p => predicted[p] == k).ToArray();
                if (members.Length < options.MinPixels)
                {
                    continue;
                }

                var mean = Enumerable.Range(0, channels).Select(d => members.Average(p => features[(d * pixels) + p])).ToArray();
                means[k] = mean.Sum() == 0 ? null : mean;
            }

            perImage.Add(means);
        }

        var centroids = new double[classCount * channels];
        var counts = new int[classCount];
        for (var pass = 0; pass < passes; pass++)
        {
            foreach (var means in perImage)
            {
                for (var k = 0; k < classCount; k++)
                {
                    if (means[k] is not { } v)
                    {
                        continue;
                    }

                    for (var d = 0; d < channels; d++)
                    {
                        centroids[(k * channels) + d] = ((counts[k] * centroids[(k * channels) + d]) + v[d]) / (counts[k] + 1);
                    }

                    counts[k] = Math.Min(counts[k] + 1, options.CountCap);
                }
            }
        }

        return (centroids, counts.Count(n => n > 0));
    }

    /// <summary>Records the shapes of the images and features of every forward pass.</summary>
    private sealed class RecordingModel(ISegmentationModel inner) : DelegatingSegmentationModel(inner, ownsInnerModel: false)
    {
        private readonly List<long[]> _inputs = [];
        private readonly List<long[]> _features = [];

        public IReadOnlyList<long[]> InputShapes => _inputs;

        public IReadOnlyList<long[]> FeatureShapes => _features;

        public void Clear()
        {
            _inputs.Clear();
            _features.Clear();
        }

        public override SegmentationOutput Forward(Tensor images)
        {
            var output = base.Forward(images);
            _inputs.Add(images.shape);
            _features.Add(output.Features.shape);
            return output;
        }

        public override ISegmentationModel Clone() => throw new NotSupportedException();
    }
}
