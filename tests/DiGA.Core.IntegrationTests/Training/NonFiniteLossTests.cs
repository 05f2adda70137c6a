using DiGA.Core.Data.Synthetic;
using DiGA.Core.Kernels.Distillation;
using DiGA.Core.Training;
using DiGA.Core.Training.Pipeline;
using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.IntegrationTests.Training;

/// <summary>A NaN loss stops the run with a clear error, and the last good checkpoint stays intact.</summary>
[Collection(SequentialTraining.Name)]
public class NonFiniteLossTests
{
    [Fact]
    public async Task WarmUp_NaNLossAtIterationFive_ThrowsAndKeepsTheLastGoodCheckpoint()
    {
        var root = TinyRun.TemporaryDirectory();
        try
        {
            var benchmark = new SyntheticBenchmark(TinyRun.Benchmark());
            var options = TinyRun.Options(root.FullName, iterations: 8);
            using var model = TinyRun.Model(options);
            var poisoned = new PoisonedDistiller(new SymmetricDistiller(options.Distillation), poisonFromCall: 5);
            var pipeline = TinyRun.Pipeline(options, poisoned);

            var act = () => pipeline.WarmUpAsync(new WarmUpRequest(model, benchmark.Source) { Target = benchmark.TargetTrain });

            var error = (await act.Should().ThrowAsync<NonFiniteLossException>()).Which;
            error.Message.Should().Contain("warmUp").And.Contain("NaN").And.Contain("last.ckpt");
            error.LastFiniteIteration.Should().Be(4);
            File.Exists(error.LastCheckpoint).Should().BeTrue();
            var manifest = System.Text.Json.JsonDocument.Parse(ReadEntry(error.LastCheckpoint!, "manifest.json"));
            manifest.RootElement.GetProperty("Iteration").GetInt32().Should().Be(4);
            using var restored = TinyRun.Model(options);
            using (var stream = new MemoryStream(ReadEntry(error.LastCheckpoint!, "student.dat")))
            {
                restored.Module.load(stream);
            }

            restored.Module.parameters().Should().OnlyContain(p => p.isfinite().all().item<bool>(), "the checkpoint holds the weights before the divergence");
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    private static byte[] ReadEntry(string path, string name)
    {
        using var archive = System.IO.Compression.ZipFile.OpenRead(path);
        using var stream = archive.GetEntry(name)!.Open();
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }

    /// <summary>A user-supplied distiller that returns NaN from its n-th call on, as a diverging loss would.</summary>
    private sealed class PoisonedDistiller(ISymmetricDistiller inner, int poisonFromCall) : ISymmetricDistiller
    {
        private int _calls;

        public Tensor ComputeLoss(in DistillationArguments arguments)
        {
            var loss = inner.ComputeLoss(arguments);
            return ++_calls >= poisonFromCall ? loss * float.NaN : loss;
        }
    }
}
