using DiGA.Core.Kernels.PseudoLabels;
using DiGA.Core.Tests.Fixtures.kernels;
using DiGA.Core.Tests.Helpers;
using static TorchSharp.torch;

namespace DiGA.Core.Tests.Kernels.PseudoLabels;

public sealed class ClassCentroidsTests
{
    [Fact]
    public void FromBatches_MatchesReferenceRunningMeanWithCap()
    {
        using var scope = NewDisposeScope();
        using var fixture = KernelFixture.Load("centroid_initial");
        var options = new ClassCentroidOptions { MinPixels = (int)fixture.Scalar("min_pixels"), CountCap = (int)fixture.Scalar("cap") };
        using var first = new SegmentationOutput(fixture["logits_0"].clone(), fixture["features_0"].clone());
        using var second = new SegmentationOutput(fixture["logits_1"].clone(), fixture["features_1"].clone());

        using var centroids = ClassCentroids.FromBatches([first, second], 4, options);

        // Fixture from PyTorch 1.13. Class membership is an argmax of the stored logits (identical inputs, so identical
        // classes); the means of ≤ 20 features |x| < 4 via bmm differ from the fixture's masked sums by ≤ 20 half-ulps of 4
        // ≈ 5e-6 in the worst case (observed 6e-8). The never-predicted class keeps its exact zeros.
        TensorAssert.Close(centroids.Centroids, fixture["centroids"], 1e-5);
        centroids.Centroids[3].abs().sum().item<float>().Should().Be(0f, "class 3 is never predicted");
    }

    [Fact]
    public void Update_MatchesReferenceSequentialEma()
    {
        using var scope = NewDisposeScope();
        using var fixture = KernelFixture.Load("centroid_online");
        var options = new ClassCentroidOptions { Momentum = fixture.Scalar("momentum"), MinPixels = (int)fixture.Scalar("min_pixels") };
        using var centroids = new ClassCentroids(fixture["initial"], options);
        var tensorBefore = centroids.Centroids;

        centroids.Update(fixture["features"], fixture["logits"], fixture["labels"]);

        // As above, plus a closed-form momentum blend of three images instead of the loop: observed 1.2e-7 at |c| ≈ 2.
        TensorAssert.Close(centroids.Centroids, fixture["centroids"], 1e-5);
        centroids.Centroids.Should().BeSameAs(tensorBefore, "the centroids are updated in place");
    }

    [Fact]
    public void SequentialUpdate_EqualsTheLoop()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(4);
        var initial = randn(3, 5, generator: generator);
        var vectors = randn(4, 3, 5, generator: generator);
        var weights = rand(4, 3, generator: generator).mul(rand(4, 3, generator: generator).gt(0.3));

        var closedForm = ClassCentroids.SequentialUpdate(initial, vectors, weights);

        var looped = initial.clone();
        for (var j = 0; j < 4; j++)
        {
            var w = weights[j].unsqueeze(1);
            looped = looped.mul(w.neg().add(1)).add(vectors[j].mul(w));
        }

        // Suffix products and one 4-term sum against four sequential blends of values |x| < 4: a few ulp(4) ≈ 1e-6 apart.
        TensorAssert.Close(closedForm, looped, 1e-5);
    }

    [Fact]
    public void Accumulate_WrongFeatureSize_ThrowsNamingTheArgument()
    {
        using var scope = NewDisposeScope();
        using var centroids = ClassCentroids.Zeros(4, 8);

        var act = () => centroids.Accumulate(zeros(1, 6, 2, 2), zeros(1, 4, 2, 2));

        act.Should().Throw<ArgumentException>().WithMessage("*[N, 8, h, w]*").And.ParamName.Should().Be("features");
    }
}
