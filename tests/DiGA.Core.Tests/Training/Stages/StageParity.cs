using System.Globalization;
using DiGA.Core.Data;
using DiGA.Core.Kernels.Augmentation;
using DiGA.Core.Kernels.Mixing;
using DiGA.Core.Models.Compact;
using DiGA.Core.Tests.Fixtures.stages;
using DiGA.Core.Tests.Helpers;
using DiGA.Core.Training.Stages;
using DiGA.Core.Translation.Learned;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace DiGA.Core.Tests.Training.Stages;

/// <summary>
/// Runs one stage iteration on the inputs, weights and random draws of a <c>generate_stage_fixtures.py</c> fixture and
/// compares every quantity the iteration produces with the PyTorch restatement of the reference.
/// </summary>
/// <remarks>
/// The stage runs unchanged: its batches come from <see cref="FixedBatches"/>, its photometric view and ClassMix from the
/// library's own kernels fed with the fixture's draws (<see cref="DrawReplay"/>), its translator is the stage-0 fixture
/// pair, and decorators record what each component returned. The model is the compact network at the fixture's width with
/// Dropout2d at 0 (its masks come from the stage's dropout generator, not from the injected draws).
/// </remarks>
internal sealed class StageParity : IDisposable
{
    /// <summary>
    /// Every compared quantity is O(1) in float32: views ≤ 1.4, losses ≤ 4.6, gradients ≤ 1.7, weights ≤ 2.8, centroids ≤
    /// 2.1, BatchNorm statistics ≤ 1.3. Both sides run the same float32 arithmetic in a different order: libtorch 2.10 and
    /// PyTorch 1.13 pick other convolution kernels (the library also pads some convolutions to a 16-channel block) and
    /// other reduction splits, so a sum of n terms differs by about √n rounding errors. The longest chains are the losses,
    /// means over 2·32·64 = 4096 pixels of a 5-class log-softmax after eleven convolution layers, and the weight gradients,
    /// sums over up to 4·16·32 = 2048 output positions per forward (the first convolution, 2B = 4 images); with ulp(4) =
    /// 4.8e-7 that is a few 1e-6 at worst. Observed: at most 1.5e-6 (gradients), 4.8e-7 (losses), 2.4e-7 (views), 1.2e-7
    /// (weights, statistics and centroids), and the EMA teacher is exact (see the test output). 1e-5 leaves a margin of
    /// more than 6, while every piece a stage could drop or swap (a view, a loss term or its weight, the selector, a
    /// centroid or EMA update, the BatchNorm-only target forward) moves some compared quantity by more than 1e-3.
    /// </summary>
    public const double Tolerance = 1e-5;

    private static readonly string ModelFixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures", "models");

    private readonly ITestOutputHelper _output;
    private readonly Dictionary<string, double> _worst = new(StringComparer.Ordinal);

    public StageParity(string fixtureName, ITestOutputHelper output)
    {
        _output = output;
        Fixture = StageFixture.Load(fixtureName);
        Iteration = Fixture.Int("iteration");
        Student = new CompactSegmentationModel(new CompactSegmentationModelOptions
        {
            ClassNames = ["c0", "c1", "c2", "c3", "c4"],
            Width = Fixture.Int("width"),
            FeatureChannels = Fixture.Int("features"),
            GroupCount = Fixture.Int("groups"),
            AtrousRates = [.. Fixture["rates"].data<long>().ToArray().Select(r => (int)r)],
            DropoutRate = 0.0,
            Device = "cpu",
        });
        Translator = LearnedTranslator.Load(
            Path.Combine(ModelFixtures, "diga_reference_translator_w2"),
            new LearnedTranslatorOptions { Device = "cpu", Width = Fixture.Int("translator_width") });
    }

    public StageFixture Fixture { get; }

    public int Iteration { get; }

    /// <summary>Gets the student, loaded with the fixture's teacher weights until <see cref="LoadStudent"/> (the stage's EMA teacher clones it on construction).</summary>
    public CompactSegmentationModel Student { get; }

    public LearnedTranslator Translator { get; }

    /// <summary>Loads the fixture's teacher state into the student: create the stage after this, so that its teacher starts from it.</summary>
    public void LoadTeacherIntoStudent() => LoadState(Student.Module, Fixture.WithPrefix("teacher"));

    /// <summary>Loads the fixture's student state.</summary>
    public void LoadStudent() => LoadState(Student.Module, Fixture.WithPrefix("student"));

    /// <summary>Asserts a tensor within <see cref="Tolerance"/> and keeps the worst difference of its group for the report.</summary>
    public void Close(string group, Tensor actual, Tensor expected, string name)
    {
        TensorAssert.Close(actual, expected, Tolerance, name);
        if (actual.shape.SequenceEqual(expected.shape))
        {
            using var scope = NewDisposeScope();
            var difference = (actual.to(ScalarType.Float64) - expected.to(ScalarType.Float64)).abs().max().item<double>();
            _worst[group] = Math.Max(_worst.GetValueOrDefault(group), difference);
        }
    }

    /// <summary>Asserts a loss term against the fixture.</summary>
    public void Loss(Tensor? actual, string key)
    {
        actual.Should().NotBeNull(key);
        if (actual is not null)
        {
            Close(key, actual, Fixture[key], key);
        }
    }

    /// <summary>Asserts the student's gradients, its state after the optimiser step and the teacher's state after the EMA step.</summary>
    public void ModelsAfterStep(ISegmentationModel teacher)
    {
        var parameters = Student.Module.named_parameters().ToList();
        var gradients = Fixture.WithPrefix("grad");
        gradients.Keys.Should().BeEquivalentTo(parameters.Select(p => p.name), "every trainable parameter has a reference gradient");
        foreach (var (name, parameter) in parameters)
        {
            parameter.grad.Should().NotBeNull(name);
            if (parameter.grad is { } gradient && gradients.TryGetValue(name, out var expected))
            {
                Close("gradients", gradient, expected, $"gradient of {name}");
            }
        }

        CompareState("student after the step", Student.Module, Fixture.WithPrefix("student_after"));
        CompareState("teacher after the EMA step", teacher.Module, Fixture.WithPrefix("teacher_after"));
    }

    /// <summary>Writes the worst difference of each group of compared quantities.</summary>
    public void Report()
    {
        foreach (var (group, worst) in _worst.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"max |Δ| {group}: {worst:E2}"));
        }
    }

    public void Dispose()
    {
        Translator.Dispose();
        Student.Dispose();
        Fixture.Dispose();
    }

    private void CompareState(string group, nn.Module module, IReadOnlyDictionary<string, Tensor> expected)
    {
        var state = module.state_dict();
        expected.Keys.Should().BeEquivalentTo(state.Keys, $"the reference {group} has the same state keys");
        foreach (var (name, tensor) in state)
        {
            if (!expected.TryGetValue(name, out var reference))
            {
                continue;
            }

            if (name.EndsWith("num_batches_tracked", StringComparison.Ordinal))
            {
                TensorAssert.Equal(tensor, reference, $"{group}: {name} (one count per training-mode forward)");
            }
            else
            {
                Close(name.Contains("running_", StringComparison.Ordinal) ? $"{group} (BatchNorm statistics)" : group, tensor, reference, $"{group}: {name}");
            }
        }
    }

    private static void LoadState(nn.Module module, IReadOnlyDictionary<string, Tensor> state)
    {
        var target = module.state_dict();
        state.Keys.Should().BeEquivalentTo(target.Keys, "the fixture's model has the compact network's state keys");
        using var noGrad = no_grad();
        foreach (var (name, tensor) in target)
        {
            tensor.copy_(state[name]);
        }
    }
}

/// <summary>A batch source that hands out copies of the same batch.</summary>
internal sealed class FixedBatches(Tensor images, Tensor? labels) : IBatchSource
{
    public void Seek(long batchIndex)
    {
    }

    public SegmentationBatch Next() =>
        new(images.clone(), labels?.clone(), [.. Enumerable.Range(0, (int)images.shape[0]).Select(i => $"fixture{i}")], batchIndex: 0, epoch: 0);
}

/// <summary>The random draws of a fixture, handed to the library's kernels in the order the stage asks for them.</summary>
internal sealed class DrawReplay
{
    private readonly Queue<(string Name, PhotometricDraws Draws)> _photometric = new();
    private readonly Queue<(string Name, Tensor Classes)> _classes = new();

    public void AddPhotometric(StageFixture fixture, string prefix) => _photometric.Enqueue((prefix, new PhotometricDraws(
        fixture.Bool($"{prefix}.jitter_on"), fixture[$"{prefix}.brightness"], fixture[$"{prefix}.contrast"], fixture[$"{prefix}.saturation"],
        fixture[$"{prefix}.hue"], fixture[$"{prefix}.order"], fixture.Bool($"{prefix}.gray_on"), fixture.Bool($"{prefix}.blur_on"),
        fixture.Bool($"{prefix}.sharp_on"), fixture[$"{prefix}.sharpness_factor"])));

    public void AddClassChoice(StageFixture fixture, string key) => _classes.Enqueue((key, fixture.Bool(key)));

    /// <summary>Gets the names of the draws the stage has not asked for.</summary>
    public IEnumerable<string> Unused => _photometric.Select(d => d.Name).Concat(_classes.Select(d => d.Name));

    public PhotometricAugmentation Photometric() => new((options, count, device, generator) =>
    {
        _photometric.Should().NotBeEmpty("the stage asks for no more photometric views than the reference iteration has");
        var (name, draws) = _photometric.Dequeue();
        draws.ApplyJitter.shape[0].Should().Be(count, $"the photometric draws '{name}' are for a batch of that size");
        return draws;
    });

    public ClassMixMixer Mixer() => new(null, (labels, generator) =>
    {
        _classes.Should().NotBeEmpty("the stage mixes no more often than the reference iteration");
        var (name, classes) = _classes.Dequeue();
        classes.shape[0].Should().Be(labels.shape[0], $"the class choice '{name}' is for a batch of that size");
        return classes;
    });
}

/// <summary>Records the outputs of a photometric augmenter.</summary>
internal sealed class RecordingPhotometric(IPhotometricAugmenter inner) : IPhotometricAugmenter
{
    public List<Tensor> Outputs { get; } = [];

    public Tensor Augment(in PhotometricArguments arguments)
    {
        var output = inner.Augment(arguments);
        Outputs.Add(output.clone());
        return output;
    }
}

/// <summary>Records the outputs of a mixer.</summary>
internal sealed class RecordingMixer(ICrossDomainMixer inner) : ICrossDomainMixer
{
    public List<(Tensor Images, Tensor Mask, Tensor? Labels)> Outputs { get; } = [];

    public MixedBatch Mix(in CrossDomainMixArguments arguments)
    {
        var mixed = inner.Mix(arguments);
        Outputs.Add((mixed.Images.clone(), mixed.Mask.clone(), mixed.Labels?.clone()));
        return mixed;
    }
}

/// <summary>Records the outputs of a translator; does not own it.</summary>
internal sealed class RecordingTranslator(IDomainTranslator inner) : IDomainTranslator
{
    public List<Tensor> Outputs { get; } = [];

    public Tensor Translate(in TranslationArguments arguments)
    {
        var output = inner.Translate(arguments);
        Outputs.Add(output.clone());
        return output;
    }

    public void Dispose()
    {
    }
}

/// <summary>Records the outputs of a pseudo-label selector.</summary>
internal sealed class RecordingSelector(IPseudoLabelSelector inner) : IPseudoLabelSelector
{
    public List<(Tensor Labels, Tensor Kept)> Outputs { get; } = [];

    public PseudoLabelSelection Select(in PseudoLabelArguments arguments)
    {
        var selection = inner.Select(arguments);
        Outputs.Add((selection.Labels.clone(), selection.Kept.clone()));
        return selection;
    }
}
