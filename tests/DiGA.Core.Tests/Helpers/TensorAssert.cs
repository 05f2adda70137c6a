using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Tests.Helpers;

/// <summary>Whole-tensor assertions with readable failure messages.</summary>
internal static class TensorAssert
{
    /// <summary>Asserts equal shapes and a maximum absolute difference of at most <paramref name="tolerance"/>.</summary>
    public static void Close(Tensor actual, Tensor expected, double tolerance, string because = "")
    {
        actual.shape.Should().Equal(expected.shape, "shapes must match {0}", because);
        using var scope = NewDisposeScope();
        var difference = (actual.to(ScalarType.Float64) - expected.to(ScalarType.Float64)).abs();
        var max = difference.numel() == 0 ? 0.0 : difference.max().item<double>();
        max.Should().BeLessThanOrEqualTo(tolerance, "max |actual − expected| must be within tolerance {0}", because);
    }

    /// <summary>Asserts exact equality of shape and values.</summary>
    public static void Equal(Tensor actual, Tensor expected, string because = "")
    {
        actual.shape.Should().Equal(expected.shape, "shapes must match {0}", because);
        using var scope = NewDisposeScope();
        var mismatches = actual.to(ScalarType.Float64).not_equal(expected.to(ScalarType.Float64)).sum().item<long>();
        mismatches.Should().Be(0, "every element must match {0}", because);
    }
}
