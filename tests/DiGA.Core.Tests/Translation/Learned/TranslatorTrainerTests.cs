using DiGA.Core.Tests.Helpers;
using DiGA.Core.Translation.Learned;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace DiGA.Core.Tests.Translation.Learned;

public sealed class TranslatorTrainerTests
{
    [Fact]
    public void Step_TwentyIterations_ReducesReconstructionAndCycleLosses()
    {
        using var features = new TinyFeatures();
        using var trainer = new TranslatorTrainer(NarrowOptions(), features);
        using var scope = NewDisposeScope();
        var (source, labels, target) = Batch();

        var history = Enumerable.Range(0, 20).Select(_ => trainer.Step(source, labels, target)).ToList();

        var first = history.Take(3).Average(l => l.Cycle + l.SelfReconstruction);
        var last = history.Skip(17).Average(l => l.Cycle + l.SelfReconstruction);
        // A training outcome, not a rounding check: seeds 1–5 under four kernel settings (ISA, thread count) end at 0.45–0.60
        // of the initial loss, this seed at 0.45–0.49, so 0.7 holds whatever trajectory another CPU's rounding takes.
        last.Should().BeLessThan(0.7f * first);
        history.Should().OnlyContain(l => float.IsFinite(l.Generator) && float.IsFinite(l.Discriminator) && l.Perceptual > 0 && l.Edge > 0);
        history.Select(l => l.Iteration).Should().Equal(Enumerable.Range(0, 20));
        trainer.Iteration.Should().Be(20);
    }

    [Fact]
    public void Step_TenSeededIterations_KeepEveryWeightFinite()
    {
        // Reproduced the NaN weights of libtorch's oneDNN backward-data kernel (output layer with 3 channels) on CPUs
        // where it misbehaves: the first update already made the encoders NaN.
        using var features = new TinyFeatures();
        using var trainer = new TranslatorTrainer(NarrowOptions(), features);
        using var scope = NewDisposeScope();
        var (source, labels, target) = Batch();

        for (var iteration = 0; iteration < 10; iteration++)
        {
            trainer.Step(source, labels, target);
            trainer.ParametersAreFinite().Should().BeTrue("iteration {0} must leave every weight finite", iteration);
        }
    }

    [Fact]
    public void Step_FollowsThePolySchedule()
    {
        using var features = new TinyFeatures();
        var options = NarrowOptions();
        options.MaxIterations = 4;
        using var trainer = new TranslatorTrainer(options, features);
        using var scope = NewDisposeScope();
        var (source, labels, target) = Batch();

        var rates = Enumerable.Range(0, 3).Select(_ => trainer.Step(source, labels, target).LearningRate).ToList();

        // Double arithmetic on rates ≤ 1e-3: a few ulp ≈ 1e-19; 1e-12 is 1e-9 relative.
        rates[0].Should().BeApproximately(1e-3, 1e-12);
        rates[1].Should().BeApproximately(1e-3 * Math.Pow(0.75, 0.9), 1e-12);
        rates[2].Should().BeApproximately(1e-3 * Math.Pow(0.5, 0.9), 1e-12);
    }

    [Fact]
    public void Constructor_SameSeed_GivesTheSameWeights()
    {
        using var features = new TinyFeatures();
        using var a = new TranslatorTrainer(NarrowOptions(), features);
        using var b = new TranslatorTrainer(NarrowOptions(), features);

        foreach (var ((name, left), (_, right)) in a.SourceEncoder.named_parameters().Zip(b.SourceEncoder.named_parameters()))
        {
            // The same seeded draws in one process: exact.
            TensorAssert.Equal(left, right, name);
        }
    }

    [Fact]
    public void SaveTranslator_LoadedTranslator_ReproducesTheTrainedMappingExactly()
    {
        using var features = new TinyFeatures();
        using var trainer = new TranslatorTrainer(NarrowOptions(), features);
        using var scope = NewDisposeScope();
        var (source, labels, target) = Batch();
        trainer.Step(source, labels, target);
        var directory = Path.Combine(Path.GetTempPath(), $"translator-{Guid.NewGuid():N}");
        try
        {
            trainer.SaveTranslator(directory);
            using var translator = LearnedTranslator.Load(directory, new LearnedTranslatorOptions { Device = "cpu", Width = 8 });

            var translated = translator.Translate(new TranslationArguments(source));

            Tensor expected;
            using (no_grad())
            {
                expected = trainer.SourceToTargetDecoder.forward(trainer.SourceEncoder.forward(source));
            }

            // Exact: the weights round-trip bit for bit and the loaded translator runs the same encoder and decoder kernels.
            TensorAssert.Equal(translated, expected);
            translated.requires_grad.Should().BeFalse();
            Directory.GetFiles(directory).Select(Path.GetFileName).Should().BeEquivalentTo([LearnedTranslator.EncoderFileName, LearnedTranslator.DecoderFileName]);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Load_MissingDirectory_ThrowsFileNotFound()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}");

        var act = () => LearnedTranslator.Load(directory, new LearnedTranslatorOptions { Device = "cpu", Width = 8 });

        act.Should().Throw<FileNotFoundException>().WithMessage("Translator weights file '*enc_s.pth' does not exist.*");
    }

    [Fact]
    public void Load_TruncatedCorruptOrForeignWeights_ThrowsNamingTheFile()
    {
        using var features = new TinyFeatures();
        using var trainer = new TranslatorTrainer(NarrowOptions(), features);
        var directory = Path.Combine(Path.GetTempPath(), $"translator-{Guid.NewGuid():N}");
        try
        {
            trainer.SaveTranslator(directory);
            var path = Path.Combine(directory, LearnedTranslator.EncoderFileName);
            var original = File.ReadAllBytes(path);
            var random = new Random(9);
            byte[][] variants =
            [
                original[..(original.Length / 2)],
                original[..(original.Length - 30)],
                [.. original.Select((b, i) => i is >= 100 and < 140 ? (byte)(b ^ 0x5A) : b)],
                [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13],
                [.. Enumerable.Range(0, 6).SelectMany(_ => original.Take(4)).Concat(original.Skip(random.Next(100, 1000)))],
            ];
            foreach (var bytes in variants)
            {
                File.WriteAllBytes(path, bytes);
                var act = () => LearnedTranslator.Load(directory, new LearnedTranslatorOptions { Device = "cpu", Width = 8 });
                act.Should().Throw<InvalidDataException>().WithMessage($"'{path}' does not hold the weights of a translator*");
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Load_WidthMismatch_ThrowsInvalidData()
    {
        using var features = new TinyFeatures();
        using var trainer = new TranslatorTrainer(NarrowOptions(), features);
        var directory = Path.Combine(Path.GetTempPath(), $"translator-{Guid.NewGuid():N}");
        try
        {
            trainer.SaveTranslator(directory);

            var act = () => LearnedTranslator.Load(directory, new LearnedTranslatorOptions { Device = "cpu", Width = 4 });

            act.Should().Throw<InvalidDataException>().WithMessage("*enc_s.pth' does not hold the weights of a translator*");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Step_TooSmallImages_Throws()
    {
        using var features = new TinyFeatures();
        using var trainer = new TranslatorTrainer(NarrowOptions(), features);
        using var scope = NewDisposeScope();
        var images = zeros(1, 3, 32, 32);
        var labels = zeros(1, 32, 32, dtype: ScalarType.Int64);

        var act = () => trainer.Step(images, labels, images);

        act.Should().Throw<ArgumentException>().WithMessage("Training images need a height and width that are multiples of 4 and at least 64*");
    }

    [Fact]
    public void Constructor_WithoutVggWeights_Throws()
    {
        var act = () => new TranslatorTrainer(new TranslatorTrainerOptions { Device = "cpu" });

        act.Should().Throw<ArgumentException>().WithMessage("VggWeightsPath must name the ImageNet VGG19 weights file*");
    }

    private static TranslatorTrainerOptions NarrowOptions() => new()
    {
        Device = "cpu",
        Seed = 3,
        Width = 8,
        LearningRate = 1e-3,
        PerceptualLayerWeights = [1.0],
    };

    private static (Tensor Source, Tensor Labels, Tensor Target) Batch()
    {
        var source = TranslationTestImages.Source(count: 1, height: 64, width: 64, seed: 8);
        var target = TranslationTestImages.Target(count: 1, height: 64, width: 64, seed: 9);
        var labels = zeros(1, 64, 64, dtype: ScalarType.Int64);
        labels[.., 20..44, 10..30] = 3;
        labels[.., 50.., ..] = 255;
        return (source, labels, target);
    }

    /// <summary>A frozen one-layer feature extractor that keeps the training test fast.</summary>
    private sealed class TinyFeatures : IPerceptualFeatureExtractor, IDisposable
    {
        private readonly Module<Tensor, Tensor> _conv;

        public TinyFeatures()
        {
            _conv = Conv2d(3, 4, 3, padding: 1);
            using (no_grad())
            {
                foreach (var parameter in _conv.parameters())
                {
                    parameter.uniform_(-0.5, 0.5, new Generator(4));
                    parameter.requires_grad = false;
                }
            }
        }

        public IReadOnlyList<Tensor> Extract(Tensor images) => [functional.relu(_conv.forward(images))];

        public void Dispose() => _conv.Dispose();
    }
}
