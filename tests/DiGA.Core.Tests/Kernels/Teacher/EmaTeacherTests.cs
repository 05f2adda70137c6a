using DiGA.Core.Kernels.Teacher;
using DiGA.Core.Tests.Fixtures.kernels;
using DiGA.Core.Tests.Helpers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiGA.Core.Tests.Kernels.Teacher;

public sealed class EmaTeacherTests
{
    [Theory]
    [InlineData(0, 0.0)]
    [InlineData(1, 0.5)]
    [InlineData(999, 0.999)]
    [InlineData(50_000, 0.999)]
    public void Decay_FollowsTheReferenceSchedule(long iteration, double expected) =>
        // Two double operations (1 − 1/(i + 1), min): ≤ 1 ulp ≈ 1e-16 from the literal; 1e-12 is a millionth of the ~1e-6 step
        // between neighbouring iterations' decays near i = 999.
        EmaTeacher.Decay(iteration, 0.999).Should().BeApproximately(expected, 1e-12);

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(5000)]
    public void Update_MatchesReferenceBlend(long iteration)
    {
        using var scope = NewDisposeScope();
        using var fixture = KernelFixture.Load("ema");
        using var student = new LinearModel(fixture["student_weight"], fixture["student_bias"]);
        using var teacher = new EmaTeacher(student);
        var teacherLinear = ((LinearModel)teacher.Model).Linear;
        using (no_grad())
        {
            teacherLinear.weight!.copy_(fixture["teacher_weight"]);
            teacherLinear.bias!.copy_(fixture["teacher_bias"]);
        }

        teacher.Update(student, iteration);

        // Fixture (PyTorch 1.13): α·t + (1 − α)·s by mul_ + add_(alpha), |t|, |s| < 2.9; the library's lerp_ forms t + (1 − α)·(s − t)
        // (|s − t| < 5.8). Each side has ≤ 3 float32 roundings of values ≤ 5.8 (≤ 3.5e-7 each, a half-ulp), and a vectorised
        // kernel may fuse them: ≤ 7e-7 apart; 1e-6 still fails a wrong α (≥ 1e-3).
        TensorAssert.Close(teacherLinear.weight!, fixture[$"weight_{iteration}"], 1e-6);
        TensorAssert.Close(teacherLinear.bias!, fixture[$"bias_{iteration}"], 1e-6);
        teacherLinear.weight!.grad.Should().BeNull();
    }

    [Fact]
    public void Blend_CopyBuffers_CopiesRunningStatisticsOnlyWhenAsked()
    {
        using var scope = NewDisposeScope();
        using var teacher = nn.BatchNorm1d(3);
        using var student = nn.BatchNorm1d(3);
        using (no_grad())
        {
            student.running_mean!.fill_(2.0);
        }

        // Exact: untouched zeros, then a copy of three 2.0s (their sum 6 is exactly representable).
        EmaTeacher.Blend(teacher, student, 0.5);
        teacher.running_mean!.sum().item<float>().Should().Be(0f);

        EmaTeacher.Blend(teacher, student, 0.5, copyBuffers: true);
        teacher.running_mean!.sum().item<float>().Should().Be(6f);
    }

    [Fact]
    public void Blend_DifferentArchitectures_Throws()
    {
        using var teacher = nn.Linear(3, 4);
        using var student = nn.Linear(3, 5);

        var act = () => EmaTeacher.Blend(teacher, student, 0.9);

        act.Should().Throw<ArgumentException>().WithMessage("*[4, 3]*[5, 3]*");
    }

    /// <summary>A one-layer segmentation model: logits = Linear over channels; enough to exercise parameter EMA.</summary>
    private sealed class LinearModel : ISegmentationModel
    {
        public LinearModel(Tensor weight, Tensor bias)
        {
            Linear = nn.Linear(weight.shape[1], weight.shape[0]);
            using (no_grad())
            {
                Linear.weight!.copy_(weight);
                Linear.bias!.copy_(bias);
            }
        }

        public Linear Linear { get; }

        public SegmentationModelInfo Info { get; } = new("linear", ["a", "b", "c", "d"], 4, 1, ImageNormalization.Reference);

        public Device Device => CPU;

        public nn.Module Module => Linear;

        public SegmentationOutput Forward(Tensor images)
        {
            var logits = Linear.forward(images.permute(0, 2, 3, 1)).permute(0, 3, 1, 2);
            return new SegmentationOutput(logits, logits.clone());
        }

        public ISegmentationModel Clone() => new LinearModel(Linear.weight!.detach(), Linear.bias!.detach());

        public IReadOnlyList<ModelParameterGroup> GetParameterGroups() => [new("all", Linear.parameters().ToList(), 1.0)];

        public void Dispose() => Linear.Dispose();
    }
}
