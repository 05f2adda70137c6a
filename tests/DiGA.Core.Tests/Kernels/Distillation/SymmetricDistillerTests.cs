using DiGA.Core.Kernels.Distillation;
using DiGA.Core.Tests.Fixtures.kernels;
using DiGA.Core.Tests.Helpers;
using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Tests.Kernels.Distillation;

public sealed class SymmetricDistillerTests
{
    // Fixture from PyTorch 1.13. Losses ≈ 3–11 are means of Σ p·log_softmax over logits |z| ≲ 8: a few ulp(16) ≈ 1e-6 of
    // exp/log kernel noise (observed 0), so 1e-5 leaves a tenfold margin.
    private const double LossTolerance = 1e-5;

    // Gradients (softmax differences · weight / 30 pixels, × T for the temperature case) are ≤ 0.08: kernel noise is a few
    // ulp(0.08) ≈ 3e-8 (observed ≤ 7.5e-9); a wrong weight, temperature factor or mask moves them by ≥ 1e-3.
    private const double GradientTolerance = 1e-6;

    [Theory]
    [InlineData("plain", 0.5, 1.0, false)]
    [InlineData("synthia", 0.25, 1.0, false)]
    [InlineData("masked", 0.5, 1.0, true)]
    [InlineData("temperature", 0.5, 2.0, false)]
    public void ComputeLoss_MatchesReferenceValueAndGradients(string tag, double reverseWeight, double temperature, bool masked)
    {
        using var scope = NewDisposeScope();
        using var fixture = KernelFixture.Load("symkd");
        var studentOriginal = fixture["student_original"].clone().requires_grad_(true);
        var studentMixed = fixture["student_mixed"].clone().requires_grad_(true);
        var distiller = new SymmetricDistiller(new SymmetricDistillationOptions { ReverseWeight = reverseWeight, Temperature = temperature });

        var loss = distiller.ComputeLoss(new DistillationArguments(studentOriginal, studentMixed, fixture["teacher_original"], fixture["teacher_mixed"])
        {
            ValidMask = masked ? fixture.Bool("mask") : null,
        });
        loss.backward();

        TensorAssert.Close(loss, fixture[$"{tag}_loss"], LossTolerance);
        TensorAssert.Close(studentOriginal.grad!, fixture[$"{tag}_grad_original"], GradientTolerance);
        TensorAssert.Close(studentMixed.grad!, fixture[$"{tag}_grad_mixed"], GradientTolerance);
    }

    // The loss is one autograd node (batched dot products for the sums, the students' log-softmax buffers turned into their
    // gradients in place). Against the composed form on students that are the two halves of one batch, as in the warm-up
    // iteration: losses ≈ 3 agree to a few ulp (1e-6), gradients ≤ 1/pixels to a few ulp(0.01) (1e-8).
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ComputeLoss_SlicesOfOneBatch_MatchComposedForm(bool masked)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(7);
        var source = randn([4, 5, 6, 7], generator: generator).mul(2);
        var teachers = randn([4, 5, 6, 7], generator: generator).mul(2);
        var mask = masked ? rand([2, 6, 7], generator: generator).gt(0.3) : null;
        var batch = source.clone().requires_grad_(true);
        var reference = source.clone().requires_grad_(true);

        var loss = new SymmetricDistiller().ComputeLoss(new DistillationArguments(batch[..2], batch[2..], teachers[..2], teachers[2..]) { ValidMask = mask });
        loss.backward();
        Tensor Direction(Tensor teacher, Tensor student) =>
            nn.functional.softmax(teacher, 1).mul(nn.functional.log_softmax(student, 1)).sum(1).neg();
        var perPixel = Direction(teachers[..2], reference[2..]).add(Direction(teachers[2..], reference[..2]), 0.5);
        var expected = mask is null ? perPixel.mean() : where(mask, perPixel, zeros_like(perPixel)).sum().div(mask.sum().to(ScalarType.Float32));
        expected.backward();

        TensorAssert.Close(loss, expected, 1e-6);
        TensorAssert.Close(batch.grad!, reference.grad!, 1e-8);
        using (no_grad())
        {
            TensorAssert.Equal(new SymmetricDistiller().ComputeLoss(new DistillationArguments(batch[..2], batch[2..], teachers[..2], teachers[2..]) { ValidMask = mask }), loss.detach());
        }
    }

    // The first backward scales the saved buffers in place; a second one through the retained graph must recompute them (not
    // fail, which would end the process from inside a TorchSharp callback) and accumulate the same gradients.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ComputeLoss_SecondBackwardThroughTheSameGraph_AccumulatesTheSameGradient(bool masked)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(4);
        var original = randn([1, 3, 4, 4], generator: generator).requires_grad_(true);
        var mixed = randn([1, 3, 4, 4], generator: generator).requires_grad_(true);
        var teacher = randn([1, 3, 4, 4], generator: generator);
        var options = new SymmetricDistillationOptions { Temperature = 2.0 };
        var loss = new SymmetricDistiller(options).ComputeLoss(new DistillationArguments(original, mixed, teacher, teacher.flip(3))
        {
            ValidMask = masked ? rand([1, 4, 4], generator: generator).gt(0.3) : null,
        });
        loss.backward(retain_graph: true);
        var (firstOriginal, firstMixed) = (original.grad!.clone(), mixed.grad!.clone());

        loss.backward();

        TensorAssert.Close(original.grad!, firstOriginal.mul(2), 1e-7);
        TensorAssert.Close(mixed.grad!, firstMixed.mul(2), 1e-7);
    }

    [Fact]
    public void ComputeLoss_TeacherLogits_ReceiveNoGradient()
    {
        using var scope = NewDisposeScope();
        using var fixture = KernelFixture.Load("symkd");
        var teacher = fixture["teacher_original"].clone().requires_grad_(true);
        var student = fixture["student_original"].clone().requires_grad_(true);

        new SymmetricDistiller().ComputeLoss(new DistillationArguments(student, student, teacher, teacher)).backward();

        teacher.grad.Should().BeNull();
        student.grad.Should().NotBeNull();
    }

    [Fact]
    public void ComputeLoss_MismatchedShapes_ThrowsNamingTheTensor()
    {
        using var scope = NewDisposeScope();
        var a = zeros(2, 3, 4, 4);
        var b = zeros(2, 3, 4, 5);

        var act = () => new SymmetricDistiller().ComputeLoss(new DistillationArguments(a, a, b, a));

        act.Should().Throw<ArgumentException>().WithMessage("*TeacherOriginal*[2, 3, 4, 5]*");
    }

    [Fact]
    public void Constructor_NegativeReverseWeight_Throws()
    {
        var act = () => new SymmetricDistiller(new SymmetricDistillationOptions { ReverseWeight = -1 });

        act.Should().Throw<ArgumentException>().WithMessage("*SymmetricDistillationOptions*ReverseWeight*");
    }

    [Fact]
    public void ComputeLoss_LeavesNoLiveTensors()
    {
        var generator = new Generator(3);
        var statistics = DisposeScopeManager.Statistics;
        statistics.Reset();
        using (NewDisposeScope())
        {
            var student = randn([2, 5, 6, 6], generator: generator);
            var teacher = randn([2, 5, 6, 6], generator: generator);
            using var loss = new SymmetricDistiller().ComputeLoss(new DistillationArguments(student, student, teacher, teacher));
            loss.item<float>().Should().BePositive();
        }

        statistics.ThreadTotalLiveCount.Should().Be(0);
    }
}
