using DiGA.Core.Kernels.Mixing;
using static TorchSharp.torch;

namespace DiGA.Core.Tests.Kernels.Mixing;

public sealed class ClassMixMaskTests
{
    [Fact]
    public void Create_SelectsExactlyHalfOfThePresentValues_PerImage()
    {
        using var scope = NewDisposeScope();
        var labels = randint(0, 7, [4, 16, 16], generator: new Generator(11), dtype: ScalarType.Int64);
        labels[1] = labels[1].remainder(3);                                 // 3 values: ⌊3/2⌋ = 1 selected
        labels[2] = full(new long[] { 16, 16 }, 3L, ScalarType.Int64);      // 1 value: none selected

        var mask = ClassMixMask.Create(labels, new Generator(5));

        for (var image = 0; image < 4; image++)
        {
            var (present, selected) = Selection(labels[image], mask[image]);
            selected.Count.Should().Be(present.Count / 2, "image {0} has {1} values", image, present.Count);
        }
    }

    [Fact]
    public void Create_IgnorePresent_CountsInTheDrawAndIsAlwaysMasked()
    {
        using var scope = NewDisposeScope();
        for (ulong seed = 0; seed < 20; seed++)
        {
            var labels = randint(0, 5, [1, 8, 8], generator: new Generator(seed), dtype: ScalarType.Int64);
            labels[0, 0] = full(8, 255L, ScalarType.Int64);                // U = {0..4, 255}: 3 of 6 values drawn
            var mask = ClassMixMask.Create(labels, new Generator(seed + 100));

            var (_, selected) = Selection(labels[0], mask[0]);
            selected.Should().Contain(255L);
            selected.Count(value => value != 255).Should().BeOneOf(2, 3);   // 3 drawn, 255 possibly among them
        }
    }

    [Fact]
    public void Create_SameSeed_IsDeterministic_DifferentSeed_Differs()
    {
        using var scope = NewDisposeScope();
        var labels = randint(0, 19, [3, 32, 32], generator: new Generator(1), dtype: ScalarType.Int64);

        var first = ClassMixMask.Create(labels, new Generator(42));
        var second = ClassMixMask.Create(labels, new Generator(42));
        var masks = Enumerable.Range(0, 8).Select(seed => ClassMixMask.Create(labels, new Generator((ulong)(100 + seed)))).ToList();

        first.eq(second).all().item<bool>().Should().BeTrue();
        masks.Should().Contain(mask => !mask.eq(first).all().item<bool>());
    }

    [Fact]
    public void Create_OverManyDraws_EveryValueIsChosenAboutHalfTheTime()
    {
        using var scope = NewDisposeScope();
        var labels = arange(6, dtype: ScalarType.Int64).repeat(4).reshape(1, 4, 6);
        var generator = new Generator(9);
        var hits = zeros(6, ScalarType.Int64);
        for (var draw = 0; draw < 400; draw++)
        {
            hits.add_(ClassMixMask.Create(labels, generator)[0, 0].to(ScalarType.Int64));
        }

        hits.data<long>().ToArray().Should().OnlyContain(count => count > 150 && count < 250);
    }

    [Fact]
    public void Create_WrongDtype_Throws()
    {
        using var scope = NewDisposeScope();
        var act = () => ClassMixMask.Create(zeros(new long[] { 1, 2, 2 }, ScalarType.Int32), new Generator(1));

        act.Should().Throw<ArgumentException>().WithMessage("*int64*").And.ParamName.Should().Be("labels");
    }

    private static (List<long> Present, HashSet<long> Selected) Selection(Tensor labels, Tensor mask)
    {
        var values = labels.flatten().data<long>().ToArray();
        var masked = mask.flatten().data<bool>().ToArray();
        var selected = values.Where((_, i) => masked[i]).ToHashSet();
        values.Where((value, i) => masked[i] != selected.Contains(value)).Should().BeEmpty("a value is either fully inside the mask or fully outside");
        return (values.Distinct().ToList(), selected);
    }
}
