using BenchmarkDotNet.Attributes;
using DiGA.Core.Kernels.Teacher;
using DiGA.Core.Models.DeepLab;

namespace DiGA.Core.Benchmarks;

/// <summary>The EMA teacher update over every DeepLabV2-R101 parameter.</summary>
[Config(typeof(KernelConfig))]
public class EmaBenchmarks
{
    private DeepLabV2 _student = null!;
    private EmaTeacher _teacher = null!;
    private long _iteration = 1000;

    [GlobalSetup]
    public void Setup()
    {
        _student = new DeepLabV2(new DeepLabV2Options { Device = "cpu" });
        _teacher = new EmaTeacher(_student);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _teacher.Dispose();
        _student.Dispose();
    }

    [Benchmark(Description = "ema.deeplabv2-r101")]
    public void Update() => _teacher.Update(_student, _iteration++);
}
