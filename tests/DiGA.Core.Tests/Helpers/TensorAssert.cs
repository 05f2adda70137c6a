using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Tests.Helpers;

/// <summary>Whole-tensor assertions with readable failure messages.</summary>
/// <remarks>
/// Use <see cref="Equal"/> only where the result is deterministic by construction (copies, indexing, selections, save → load
/// round trips, the same call twice on the same inputs in one process). Anything computed by a different code path, dtype,
/// batch size, kernel or library version than its expectation goes through <c>Close</c>, with a tolerance whose size is
/// justified where it is used.
/// </remarks>
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

    /// <summary>
    /// Asserts equal shapes and <c>|actual − expected| ≤ absolute + relative·|expected|</c> for every element (the rule of
    /// <c>torch.allclose</c>), for values whose magnitudes differ so much that one absolute bound does not fit them all.
    /// </summary>
    public static void Close(Tensor actual, Tensor expected, double absolute, double relative, string because = "")
    {
        actual.shape.Should().Equal(expected.shape, "shapes must match {0}", because);
        using var scope = NewDisposeScope();
        var reference = expected.to(ScalarType.Float64);
        var excess = (actual.to(ScalarType.Float64) - reference).abs() - (reference.abs() * relative) - absolute;
        var worst = excess.numel() == 0 ? double.NegativeInfinity : excess.max().item<double>();
        worst.Should().BeLessThanOrEqualTo(0, "|actual − expected| must be within {0} + {1}·|expected| everywhere {2}", absolute, relative, because);
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
