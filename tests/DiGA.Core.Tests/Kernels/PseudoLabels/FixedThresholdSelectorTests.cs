using DiGA.Core.Kernels.PseudoLabels;
using DiGA.Core.Tests.Helpers;
using static TorchSharp.torch;

namespace DiGA.Core.Tests.Kernels.PseudoLabels;

public sealed class FixedThresholdSelectorTests
{
    [Fact]
    public void Select_KeepsExactlyTheConfidentNonIgnoredPixels()
    {
        using var scope = NewDisposeScope();
        var logits = randn(2, 3, 4, 4, generator: new Generator(1)).mul(4);
        var offline = randint(0, 3, [2, 4, 4], generator: new Generator(2), dtype: ScalarType.Int64);
        offline[0, 0, 0] = tensor(255L);

        using var selection = new FixedThresholdSelector(new FixedThresholdSelectorOptions { Threshold = 0.8 })
            .Select(new PseudoLabelArguments(offline, logits, zeros(2, 1, 4, 4)));

        // Exact: the selector's upsampling to the same 4×4 size has weights 1 and 0 (an exact copy), after which it runs the same
        // softmax kernel on the same values in this process, so even a confidence next to 0.8 falls on the same side.
        var confident = nn.functional.softmax(logits, 1).max(1).values.ge(0.8).logical_and(offline.ne(255));
        TensorAssert.Equal(selection.Kept, confident);
        TensorAssert.Equal(selection.Labels, where(confident, offline, full_like(offline, 255)));
        selection.Kept.any().item<bool>().Should().BeTrue();
        selection.Kept.all().item<bool>().Should().BeFalse();
    }
}
