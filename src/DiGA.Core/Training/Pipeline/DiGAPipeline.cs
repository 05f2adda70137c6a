using DiGA.Core.Data;
using DiGA.Core.Foundation;
using DiGA.Core.Kernels.Metrics;
using DiGA.Core.Kernels.PseudoLabels;
using DiGA.Core.Models;
using DiGA.Core.Training.Stages;
using DiGA.Core.Translation;
using DiGA.Core.Translation.Learned;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DiGA.Core.Training.Pipeline;

/// <summary>
/// The DiGA stages as library calls: supervised baselines, the learned translator (stage 0), the warm-up (symmetric
/// distillation with the cross-domain mixture), and self-training rounds with offline pseudo-labels, centroids and dynamic
/// pseudo-label selection; <see cref="RunAsync"/> chains warm-up, self-training and evaluation.
/// </summary>
/// <remarks>
/// Every stage runs on a dedicated thread, takes an optional <see cref="IProgress{T}"/> of scalars and a
/// <see cref="CancellationToken"/>, and keeps its checkpoints, pseudo-labels and centroids in a folder under
/// <see cref="DiGAPipelineOptions.WorkDirectory"/>: calling it again with the same folder resumes where it stopped, and a
/// finished stage is not run again. Cancellation writes a checkpoint first and then throws
/// <see cref="OperationCanceledException"/>; a NaN or infinite loss throws <see cref="NonFiniteLossException"/> and leaves
/// the last good checkpoint intact. Each stage leaves its last state in the model or, with
/// <see cref="DiGAPipelineOptions.CarriedModel"/> = <see cref="CarriedModel.BestOnValidation"/>, its best validation
/// checkpoint (then every stage needs a validation set, or throws <see cref="ArgumentException"/> before it starts).
/// Models are trained in place on their own device and stay owned by the caller; the
/// pipeline creates and disposes the translators it needs. Build one with <c>new</c>, with <see cref="DiGAPipelineBuilder"/>,
/// or resolve it from a container set up by <c>AddDiGA</c>.
/// </remarks>
public sealed class DiGAPipeline
{
    private readonly DiGAComponents _components;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly TrainingStreams _streams;

    /// <summary>Initialises a pipeline.</summary>
    /// <param name="options">The hyper-parameters; read at every call, so a caller may adjust them between stages.</param>
    /// <param name="seed">The seed of every random generator and data order.</param>
    /// <param name="components">The pluggable pieces.</param>
    /// <param name="loggerFactory">An optional logger factory.</param>
    public DiGAPipeline(DiGAPipelineOptions options, int seed, DiGAComponents components, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(components);
        Options = options;
        Seed = seed;
        _components = components;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<DiGAPipeline>();
        var allocator = NativeAllocator.Apply(options.NativeMemory.ArenaLimit, options.NativeMemory.RetainFreedMemory);
        _logger.LogDebug("Native allocator: {Allocator}", allocator);
        _streams = new TrainingStreams(options.Data, seed);
        Evaluator = new SegmentationEvaluator(options);
        PseudoLabels = new PseudoLabelWriter(options, _loggerFactory.CreateLogger<PseudoLabelWriter>());
        Centroids = new CentroidEstimator(options);
    }

    /// <summary>Gets the options.</summary>
    public DiGAPipelineOptions Options { get; }

    /// <summary>Gets the seed.</summary>
    public int Seed { get; }

    /// <summary>Gets the evaluation protocol the stages validate with.</summary>
    public SegmentationEvaluator Evaluator { get; }

    /// <summary>Gets the writer of offline pseudo-labels.</summary>
    public PseudoLabelWriter PseudoLabels { get; }

    /// <summary>Gets the estimator of initial class centroids.</summary>
    public CentroidEstimator Centroids { get; }

    /// <summary>Runs the whole adaptation: warm-up, then the self-training rounds, then the evaluation on the validation set.</summary>
    /// <param name="student">The model to adapt; trained in place.</param>
    /// <param name="data">The source, target and validation sets.</param>
    /// <param name="progress">Receives progress reports of every stage.</param>
    /// <param name="cancellationToken">Stops the run after writing a checkpoint.</param>
    /// <returns>The stage results and the final evaluation.</returns>
    public async Task<DiGARunResult> RunAsync(ISegmentationModel student, DiGADatasets data, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(data);
        RequireValidationForCarriedModel(data.Validation, nameof(data));
        var stages = new List<StageResult>
        {
            await WarmUpAsync(new WarmUpRequest(student, data.Source) { Target = data.TargetTrain, Validation = data.Validation }, progress, cancellationToken).ConfigureAwait(false),
        };
        stages.AddRange(await SelfTrainAsync(new SelfTrainingRequest(student, data), progress, cancellationToken).ConfigureAwait(false));
        var evaluation = data.Validation is null ? null : await Evaluator.EvaluateAsync(student, data.Validation, cancellationToken).ConfigureAwait(false);
        return new DiGARunResult(stages, evaluation);
    }

    /// <summary>Trains with the supervised loss only: the source-only baseline, the target oracle, or the translated-source baseline.</summary>
    /// <param name="request">The model, data and variant.</param>
    /// <param name="progress">Receives progress reports.</param>
    /// <param name="cancellationToken">Stops the stage after writing a checkpoint.</param>
    /// <returns>The stage's result.</returns>
    public async Task<StageResult> TrainSupervisedAsync(SupervisedTrainingRequest request, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.StageName, nameof(request));
        ArgumentNullException.ThrowIfNull(request.Model, nameof(request));
        PipelineGuard.RequireLabels(request.Data, nameof(request));
        RequireValidationForCarriedModel(request.Validation, nameof(request));
        var options = Options.Supervised;
        var model = request.Model;
        using var translator = request.TranslateTowards is { } target ? CreateTranslator(target, model, required: true) : null;
        using var stream = _streams.Create(request.Data, StreamSplit.OneStream(options.BatchSize), salt: 1, isSource: true, options.RandomScale, model.Device, model.Info.Normalization);
        using var stage = new SupervisedStage(request.StageName, options, model, Context(request.StageName, model, request.Data, request.Validation), stream, Components(translator));
        return await stage.RunAsync(progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs the warm-up: supervised loss plus symmetric distillation over the source view and the cross-domain mixture (or, without a translator, the photometric view).</summary>
    /// <param name="request">The student, data and options.</param>
    /// <param name="progress">Receives progress reports.</param>
    /// <param name="cancellationToken">Stops the stage after writing a checkpoint.</param>
    /// <returns>The stage's result.</returns>
    public async Task<StageResult> WarmUpAsync(WarmUpRequest request, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(request.Student, nameof(request));
        PipelineGuard.RequireLabels(request.Source, nameof(request));
        RequireValidationForCarriedModel(request.Validation, nameof(request));
        var warmUp = request.Options ?? Options.WarmUp;
        var student = request.Student;
        using var translator = warmUp.UseCrossDomainMix
            ? CreateTranslator(request.Target ?? throw new ArgumentException("The cross-domain mixture needs the target images (WarmUpRequest.Target) to build its translator.", nameof(request)), student, required: true)
            : null;
        using var sourceStream = _streams.Create(request.Source, TrainingStreams.Split(Options, warmUp), salt: 2, isSource: true, warmUp.Stage.RandomScale, student.Device, student.Info.Normalization);
        using var targetStream = request.Target is not null && warmUp.TargetBatchNormForward
            ? _streams.Create(request.Target.WithoutLabels(), TrainingStreams.Split(Options, warmUp), salt: 3, isSource: false, randomScale: false, student.Device, student.Info.Normalization)
            : null;
        using var stage = new WarmUpStage(warmUp, student, Context(warmUp.Name, student, request.Source, request.Validation), sourceStream, targetStream, Components(translator));
        return await stage.RunAsync(progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs every self-training round (<see cref="SelfTrainingOptions.Rounds"/>): before each, offline pseudo-labels from the
    /// current model; centroids from the model that starts the first round (reused by later rounds, as the reference does,
    /// unless <see cref="SelfTrainingOptions.ReuseWarmUpCentroids"/> is off).
    /// </summary>
    /// <param name="request">The student, data, selector and stage name.</param>
    /// <param name="progress">Receives progress reports.</param>
    /// <param name="cancellationToken">Stops the current round after writing a checkpoint.</param>
    /// <returns>The result of each round.</returns>
    public async Task<IReadOnlyList<StageResult>> SelfTrainAsync(SelfTrainingRequest request, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(request.Student, nameof(request));
        ArgumentNullException.ThrowIfNull(request.Data, nameof(request));
        ArgumentException.ThrowIfNullOrWhiteSpace(request.StageName, nameof(request));
        PipelineGuard.RequireLabels(request.Data.Source, nameof(request));
        RequireValidationForCarriedModel(request.Data.Validation, nameof(request));
        var (student, data) = (request.Student, request.Data);
        var options = Options.SelfTraining;
        var split = TrainingStreams.Split(options.Stage, "SelfTraining:Stage");
        _streams.Require(split);
        var stages = new List<StageResult>();
        ClassCentroids? initialCentroids = null;
        using var translator = CreateTranslator(data.TargetTrain, student, required: false);
        try
        {
            for (var round = 1; round <= options.Rounds; round++)
            {
                var name = options.Rounds == 1 ? request.StageName : $"{request.StageName}{round}";
                var pseudoLabelled = await PseudoLabels.WriteAsync(student, data.TargetTrain, name, cancellationToken).ConfigureAwait(false);
                if (initialCentroids is null || !options.ReuseWarmUpCentroids)
                {
                    initialCentroids?.Dispose();
                    initialCentroids = await Centroids.EstimateAsync(student, data.TargetTrain, name, cancellationToken).ConfigureAwait(false);
                }

                using var centroids = new ClassCentroids(initialCentroids.Centroids.clone(), Options.Centroids);
                using var sourceStream = _streams.Create(data.Source, split, salt: 10 + round, isSource: true, options.Stage.RandomScale, student.Device, student.Info.Normalization);
                using var targetStream = _streams.Create(pseudoLabelled, split, salt: 20 + round, isSource: false, options.Stage.RandomScale, student.Device, student.Info.Normalization);
                var components = Components(translator) with { Selector = request.Selector ?? _components.Selector };
                using var stage = new SelfTrainingStage(options, name, student, Context(name, student, data.TargetTrain, data.Validation), sourceStream, targetStream, components, centroids);
                stages.Add(await stage.RunAsync(progress, cancellationToken).ConfigureAwait(false));
            }
        }
        finally
        {
            initialCentroids?.Dispose();
        }

        return stages;
    }

    /// <summary>
    /// Trains the learned translator (stage 0): encoder/decoder pairs and three-scale discriminators for both directions
    /// with the LSGAN, cycle, self-reconstruction, semantic-edge and perceptual losses. Every
    /// <see cref="TranslatorTrainingRequest.CheckpointInterval"/> iterations and at the end it writes an atomic checkpoint
    /// under the work directory (a new call resumes from it) and the inference pair to the output folder.
    /// </summary>
    /// <param name="request">The data, trainer options and output folder.</param>
    /// <param name="progress">Receives progress reports (stage <c>translator</c>).</param>
    /// <param name="cancellationToken">Stops between iterations after writing a checkpoint.</param>
    /// <returns>The losses and the weights folder.</returns>
    /// <exception cref="NonFiniteLossException">A loss or a weight became NaN or infinite; the last good checkpoint is intact.</exception>
    public async Task<TranslatorTrainingResult> TrainTranslatorAsync(TranslatorTrainingRequest request, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        PipelineGuard.RequireLabels(request.Source, nameof(request));
        ArgumentNullException.ThrowIfNull(request.Target, nameof(request));
        ArgumentNullException.ThrowIfNull(request.Options, nameof(request));
        ArgumentException.ThrowIfNullOrWhiteSpace(request.OutputDirectory, nameof(request));
        ArgumentOutOfRangeException.ThrowIfLessThan(request.CheckpointInterval, 1, nameof(request));
        var options = request.Options.WithSeed(Seed);
        var device = TorchDevices.Resolve(options.Device);
        var normalization = ImageNormalization.Reference;
        using var sourceStream = _streams.Create(request.Source, TrainingStreams.Split(options), salt: 30, isSource: true, randomScale: false, device, normalization);
        using var targetStream = _streams.Create(request.Target.WithoutLabels(), TrainingStreams.Split(options), salt: 31, isSource: false, randomScale: false, device, normalization);
        var trainer = request.PerceptualFeatures is { } features ? new TranslatorTrainer(options, features) : new TranslatorTrainer(options);
        using var stage = new TranslatorTrainingStage(
            trainer,
            options.MaxIterations,
            request.CheckpointInterval,
            Path.Combine(Options.WorkDirectory, "stages", TranslatorTrainingStage.Name),
            request.OutputDirectory,
            sourceStream,
            targetStream,
            Seed,
            _logger);
        return await stage.RunAsync(progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Evaluates a model on a labelled set with the configured protocol (<see cref="DiGAPipelineOptions.Evaluation"/>).</summary>
    /// <param name="model">The model; put in eval mode and left in eval mode.</param>
    /// <param name="data">A labelled set.</param>
    /// <param name="cancellationToken">Stops between batches.</param>
    /// <returns>Per-class IoU, mIoU and pixel accuracy over the model's classes.</returns>
    public Task<SegmentationMetrics> EvaluateAsync(ISegmentationModel model, ISegmentationDataset data, CancellationToken cancellationToken = default) =>
        Evaluator.EvaluateAsync(model, data, cancellationToken);

    private IDomainTranslator? CreateTranslator(ISegmentationDataset target, ISegmentationModel model, bool required)
    {
        var translator = _components.Translators.Create(new DomainTranslatorContext(target, model.Info.Normalization, model.Device));
        return translator is null && required
            ? throw new InvalidOperationException("This stage needs a translator, but the translator factory created none (translator kind None). Configure one (Reinhard, Fourier or Learned) or use the variant without a translator.")
            : translator;
    }

    private StageComponents Components(IDomainTranslator? translator) =>
        new(_components.SupervisedLoss, _components.Photometric, _components.Distiller, _components.Mixer, _components.Selector, translator);

    private StageContext Context(string stageName, ISegmentationModel model, ISegmentationDataset trainedOn, ISegmentationDataset? validation) =>
        new(model.Device, Seed)
        {
            CheckpointDirectory = Path.Combine(Options.WorkDirectory, "stages", stageName),
            Validate = validation is null ? null : m => Evaluator.Evaluate(m, validation, CancellationToken.None),
            InputScale = InputScaleOf(trainedOn),
            LeaveBestCheckpoint = Options.CarriedModel == CarriedModel.BestOnValidation,
            Logger = _logger,
        };

    private void RequireValidationForCarriedModel(ISegmentationDataset? validation, string parameterName)
    {
        if (Options.CarriedModel == CarriedModel.BestOnValidation && validation is null)
        {
            throw new ArgumentException(
                "DiGAPipelineOptions.CarriedModel is BestOnValidation, which continues from each stage's best checkpoint on the target validation set, but no validation set was given. Pass labelled target validation data, or set CarriedModel to Last.",
                parameterName);
        }
    }

    private InputScale? InputScaleOf(ISegmentationDataset data)
    {
        if (data.Count == 0)
        {
            return null;
        }

        var first = data.Load(0);
        return new InputScale(first.Height, first.Width, Options.Data.CropHeight, Options.Data.CropWidth);
    }
}
