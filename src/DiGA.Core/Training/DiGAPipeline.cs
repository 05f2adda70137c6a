using DiGA.Core.Data;
using DiGA.Core.Data.Datasets;
using DiGA.Core.Data.Transforms;
using DiGA.Core.Foundation;
using DiGA.Core.Kernels.Losses;
using DiGA.Core.Kernels.Metrics;
using DiGA.Core.Kernels.PseudoLabels;
using DiGA.Core.Models.Inference;
using DiGA.Core.Training.Stages;
using DiGA.Core.Translation;
using DiGA.Core.Translation.Learned;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Training;

/// <summary>
/// The DiGA stages as library calls: supervised baselines, the warm-up (symmetric distillation with the cross-domain
/// mixture), offline pseudo-labels, initial class centroids, self-training rounds with dynamic pseudo-label selection, and
/// evaluation; <see cref="RunAsync"/> chains them.
/// </summary>
/// <remarks>
/// Every stage runs on a dedicated thread, takes an optional <see cref="IProgress{T}"/> of scalars and a
/// <see cref="CancellationToken"/>, and keeps its checkpoints, pseudo-labels and centroids in a folder under
/// <see cref="DiGAPipelineOptions.WorkDirectory"/>: calling it again with the same folder resumes where it stopped, and a
/// finished stage is not run again. Cancellation writes a checkpoint first and then throws
/// <see cref="OperationCanceledException"/>; a NaN or infinite loss throws <see cref="NonFiniteLossException"/> and leaves
/// the last good checkpoint intact. Models are trained in place and stay owned by the caller. The device is the device of
/// the model's parameters.
/// </remarks>
public sealed class DiGAPipeline
{
    private readonly ISymmetricDistiller _distiller;
    private readonly ICrossDomainMixer _mixer;
    private readonly IPseudoLabelSelector _selector;
    private readonly IDomainTranslator? _translator;
    private readonly ILogger _logger;

    /// <summary>Initialises a pipeline from its options and pieces.</summary>
    /// <param name="options">The hyper-parameters; read at every call, so a caller may adjust them between stages.</param>
    /// <param name="seed">The seed of every random generator and data order.</param>
    /// <param name="distiller">The symmetric distillation loss.</param>
    /// <param name="mixer">The cross-domain mixer.</param>
    /// <param name="selector">The pseudo-label selector of self-training.</param>
    /// <param name="translator">The source → target translator of the cross-domain mixture; <see langword="null"/> for domain generalisation.</param>
    /// <param name="logger">An optional logger.</param>
    public DiGAPipeline(
        DiGAPipelineOptions options,
        int seed,
        ISymmetricDistiller distiller,
        ICrossDomainMixer mixer,
        IPseudoLabelSelector selector,
        IDomainTranslator? translator = null,
        ILogger<DiGAPipeline>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(distiller);
        ArgumentNullException.ThrowIfNull(mixer);
        ArgumentNullException.ThrowIfNull(selector);
        Options = options;
        Seed = seed;
        _distiller = distiller;
        _mixer = mixer;
        _selector = selector;
        _translator = translator;
        _logger = logger ?? NullLogger<DiGAPipeline>.Instance;
    }

    /// <summary>Gets the options.</summary>
    public DiGAPipelineOptions Options { get; }

    /// <summary>Gets the seed.</summary>
    public int Seed { get; }

    /// <summary>Runs the whole adaptation: warm-up, then for each self-training round offline pseudo-labels (from the previous model), centroids and self-training; then evaluates.</summary>
    /// <param name="student">The model to adapt; trained in place.</param>
    /// <param name="data">The source, target and validation sets.</param>
    /// <param name="progress">Receives progress reports of every stage.</param>
    /// <param name="cancellationToken">Stops the run after writing a checkpoint.</param>
    /// <returns>The stage results and the final evaluation.</returns>
    public async Task<DiGARunResult> RunAsync(ISegmentationModel student, DiGADatasets data, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(data);
        var stages = new List<StageResult>
        {
            await WarmUpAsync(student, data.Source, data.TargetTrain, data.Validation, progress: progress, cancellationToken: cancellationToken).ConfigureAwait(false),
        };
        stages.AddRange(await SelfTrainRoundsAsync(student, data, progress: progress, cancellationToken: cancellationToken).ConfigureAwait(false));
        var evaluation = data.Validation is null ? null : await EvaluateAsync(student, data.Validation, cancellationToken).ConfigureAwait(false);
        return new DiGARunResult(stages, evaluation);
    }

    /// <summary>
    /// Runs every self-training round (<see cref="SelfTrainingOptions.Rounds"/>): before each, offline pseudo-labels from the
    /// current model; centroids from the model that starts the first round (reused by later rounds, as the reference does,
    /// unless <see cref="SelfTrainingOptions.ReuseWarmUpCentroids"/> is off).
    /// </summary>
    /// <param name="student">The warmed-up model; trained in place.</param>
    /// <param name="data">The source, target and validation sets.</param>
    /// <param name="selector">The selector; <see langword="null"/> uses the pipeline's.</param>
    /// <param name="stageName">The base name of the rounds (<c>selfTraining</c> gives <c>selfTraining1</c>, <c>selfTraining2</c>, …; a single round keeps the base name).</param>
    /// <param name="progress">Receives progress reports.</param>
    /// <param name="cancellationToken">Stops the current round after writing a checkpoint.</param>
    /// <returns>The result of each round.</returns>
    public async Task<IReadOnlyList<StageResult>> SelfTrainRoundsAsync(
        ISegmentationModel student,
        DiGADatasets data,
        IPseudoLabelSelector? selector = null,
        string stageName = "selfTraining",
        IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentException.ThrowIfNullOrWhiteSpace(stageName);
        var rounds = Options.SelfTraining.Rounds;
        var stages = new List<StageResult>();
        ClassCentroids? initialCentroids = null;
        try
        {
            for (var round = 1; round <= rounds; round++)
            {
                var name = rounds == 1 ? stageName : $"{stageName}{round}";
                var pseudoLabelled = await GeneratePseudoLabelsAsync(student, data.TargetTrain, name, cancellationToken).ConfigureAwait(false);
                if (initialCentroids is null || !Options.SelfTraining.ReuseWarmUpCentroids)
                {
                    initialCentroids?.Dispose();
                    initialCentroids = await ComputeCentroidsAsync(student, data.TargetTrain, name, cancellationToken).ConfigureAwait(false);
                }

                using var centroids = new ClassCentroids(initialCentroids.Centroids.clone(), Options.Centroids);
                stages.Add(await SelfTrainAsync(student, data.Source, pseudoLabelled, centroids, round, data.Validation, selector, name, progress, cancellationToken).ConfigureAwait(false));
            }
        }
        finally
        {
            initialCentroids?.Dispose();
        }

        return stages;
    }

    /// <summary>
    /// Trains the learned translator (stage 0, optional): encoder/decoder pairs and three-scale discriminators for both
    /// directions with the LSGAN, cycle, self-reconstruction, semantic-edge and perceptual losses, on source crops with
    /// labels and target crops. Every <paramref name="saveInterval"/> iterations and at the end it writes an atomic
    /// checkpoint under the work directory (a new call resumes from it) and <c>enc_s.pth</c> and <c>dec_s2t.pth</c> to
    /// <paramref name="outputDirectory"/>, for <see cref="TranslatorKind.Learned"/>.
    /// </summary>
    /// <param name="source">The labelled source set (labels drive the semantic-edge loss).</param>
    /// <param name="target">The target images.</param>
    /// <param name="training">The trainer options; read, never modified. The pipeline's seed and <paramref name="device"/> replace theirs.</param>
    /// <param name="device">The device to train on.</param>
    /// <param name="outputDirectory">Where the translator weights go.</param>
    /// <param name="saveInterval">How often the checkpoint and the weights are written.</param>
    /// <param name="progress">Receives progress reports (stage <c>translator</c>).</param>
    /// <param name="cancellationToken">Stops between iterations after writing a checkpoint.</param>
    /// <returns>The stage's result.</returns>
    /// <exception cref="NonFiniteLossException">A loss or a weight became NaN or infinite; the last good checkpoint is intact.</exception>
    public async Task<StageResult> TrainTranslatorAsync(
        ISegmentationDataset source,
        ISegmentationDataset target,
        TranslatorTrainerOptions training,
        Device device,
        string outputDirectory,
        int saveInterval = 2000,
        IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        RequireLabels(source, nameof(source));
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(training);
        ArgumentNullException.ThrowIfNull(device);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputDirectory);
        ArgumentOutOfRangeException.ThrowIfLessThan(saveInterval, 1);
        var stage = new StageOptions { Iterations = training.MaxIterations, BatchSize = Options.Supervised.BatchSize, RandomScale = false };
        var normalization = ImageNormalization.Reference;
        using var sourceStream = CreateStream(source, device, normalization, stage, salt: 30, source: true, randomScale: false);
        using var targetStream = CreateStream(target.WithoutLabels(), device, normalization, stage, salt: 31, source: false, randomScale: false);
        var trainer = new TranslatorTrainer(training.WithDeviceAndSeed(device.ToString(), Seed));
        using var translatorStage = new TranslatorTrainingStage(
            trainer,
            training.MaxIterations,
            saveInterval,
            Path.Combine(Options.WorkDirectory, "stages", TranslatorTrainingStage.Name),
            outputDirectory,
            sourceStream,
            targetStream,
            Seed,
            _logger);
        return await translatorStage.RunAsync(progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Trains with the supervised loss only: the source-only baseline, the target oracle, or (with <paramref name="translate"/>) source images rendered in target style.</summary>
    /// <param name="stageName">The stage name (for example <c>sourceOnly</c>); it names the checkpoint folder.</param>
    /// <param name="model">The model; trained in place.</param>
    /// <param name="data">A labelled training set.</param>
    /// <param name="translate">Whether images go through the pipeline's translator before the loss.</param>
    /// <param name="validation">An optional labelled validation set.</param>
    /// <param name="progress">Receives progress reports.</param>
    /// <param name="cancellationToken">Stops the stage after writing a checkpoint.</param>
    /// <returns>The stage's result.</returns>
    public async Task<StageResult> TrainSupervisedAsync(
        string stageName,
        ISegmentationModel model,
        ISegmentationDataset data,
        bool translate = false,
        ISegmentationDataset? validation = null,
        IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(stageName);
        ArgumentNullException.ThrowIfNull(model);
        RequireLabels(data, nameof(data));
        var translator = translate ? _translator ?? throw new InvalidOperationException("The translated-source baseline needs a translator.") : null;
        var options = Options.Supervised;
        using var stream = CreateStream(data, model, options, salt: 1, source: true, randomScale: options.RandomScale);
        using var stage = new SupervisedStage(stageName, options, model, Context(stageName, model, validation), stream, CreateLoss(), translator);
        return await stage.RunAsync(progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs the warm-up: supervised loss plus symmetric distillation over the source view and the cross-domain mixture.</summary>
    /// <param name="student">The model; trained in place.</param>
    /// <param name="source">The labelled source set.</param>
    /// <param name="target">The target images, used only for the BatchNorm statistics forward (<see cref="WarmUpOptions.TargetBatchNormForward"/>); may be <see langword="null"/>.</param>
    /// <param name="validation">An optional labelled validation set.</param>
    /// <param name="warmUp">Options for this call; <see langword="null"/> uses <see cref="DiGAPipelineOptions.WarmUp"/>.</param>
    /// <param name="progress">Receives progress reports.</param>
    /// <param name="cancellationToken">Stops the stage after writing a checkpoint.</param>
    /// <returns>The stage's result.</returns>
    public async Task<StageResult> WarmUpAsync(
        ISegmentationModel student,
        ISegmentationDataset source,
        ISegmentationDataset? target,
        ISegmentationDataset? validation = null,
        WarmUpOptions? warmUp = null,
        IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(student);
        RequireLabels(source, nameof(source));
        warmUp ??= Options.WarmUp;
        using var sourceStream = CreateStream(source, student, warmUp.Stage, salt: 2, source: true, randomScale: warmUp.Stage.RandomScale);
        using var targetStream = target is not null && warmUp.TargetBatchNormForward ? CreateStream(target.WithoutLabels(), student, warmUp.Stage, salt: 3, source: false, randomScale: false) : null;
        var components = new StageComponents(CreateLoss(), _distiller, _mixer, _selector, _translator);
        using var stage = new WarmUpStage(warmUp, student, Context(warmUp.Name, student, validation), sourceStream, targetStream, components);
        return await stage.RunAsync(progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Predicts dense offline pseudo-labels for every target image (argmax of the max-fused multi-scale logits, no threshold) and writes them as label PNGs.</summary>
    /// <param name="model">The model that labels; put in eval mode for the pass and left in eval mode.</param>
    /// <param name="target">The target images.</param>
    /// <param name="name">The name of the pseudo-label folder under the work directory.</param>
    /// <param name="cancellationToken">Stops between batches.</param>
    /// <returns>The target images paired with their pseudo-labels.</returns>
    public Task<ISegmentationDataset> GeneratePseudoLabelsAsync(ISegmentationModel model, ISegmentationDataset target, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var images = target.WithoutLabels();
        var directory = Path.Combine(Options.WorkDirectory, "pseudo-labels", name);
        var folder = new PseudoLabelFolder(directory, model.Info.ClassCount);
        var done = Path.Combine(directory, ".complete");
        if (File.Exists(done))
        {
            _logger.LogInformation("Pseudo-labels '{Name}' already complete in {Directory}", name, directory);
            return Task.FromResult(folder.Label(images));
        }

        return TrainingThread.RunAsync(
            () =>
            {
                Directory.CreateDirectory(directory);
                AtomicFile.DeleteLeftovers(directory);
                using var fused = new MultiScaleInference(model, new MultiScaleInferenceOptions { Scales = Options.PseudoLabels.Scales, HorizontalFlip = Options.PseudoLabels.HorizontalFlip }, ownsInnerModel: false);
                model.Module.eval();
                ForEachBatch(images, model, batch =>
                {
                    using var output = fused.Forward(batch.Images);
                    using var labels = output.Logits.argmax(1).to(ScalarType.Byte).cpu();
                    var bytes = labels.data<byte>().ToArray();
                    var height = (int)labels.shape[1];
                    var width = (int)labels.shape[2];
                    for (var i = 0; i < batch.Count; i++)
                    {
                        folder.Write(batch.Ids[i], width, height, bytes.AsSpan(i * height * width, height * width));
                    }
                }, cancellationToken);
                // Written last, durably: its presence means every label file of the folder was completely written.
                AtomicFile.Write(done, _ => { });
                _logger.LogInformation("Pseudo-labels '{Name}': {Count} images written to {Directory}", name, images.Count, directory);
                return folder.Label(images);
            },
            cancellationToken);
    }

    /// <summary>Computes the initial class centroids: the mean feature of each class under the model's own predictions on the target images (eval mode).</summary>
    /// <param name="model">The model; put in eval mode and left in eval mode.</param>
    /// <param name="target">The target images.</param>
    /// <param name="name">The name of the centroid file under the work directory.</param>
    /// <param name="cancellationToken">Stops between batches.</param>
    /// <returns>The centroids <c>[C, D]</c> on the model's device, owned by the caller.</returns>
    public Task<ClassCentroids> ComputeCentroidsAsync(ISegmentationModel model, ISegmentationDataset target, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(target);
        var path = Path.Combine(Options.WorkDirectory, "centroids", name + ".dat");
        return TrainingThread.RunAsync(
            () =>
            {
                var device = DeviceOf(model);
                if (File.Exists(path))
                {
                    using var saved = Tensor.Load(path);
                    return new ClassCentroids(saved.to(device), Options.Centroids);
                }

                model.Module.eval();
                var centroids = ClassCentroids.Zeros(model.Info.ClassCount, model.Info.FeatureChannels, device, Options.Centroids);
                ForEachBatch(target.WithoutLabels(), model, batch =>
                {
                    using var output = model.Forward(batch.Images);
                    centroids.Accumulate(output.Features, output.Logits);
                }, cancellationToken);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                AtomicFile.Write(path, stream =>
                {
                    using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
                    centroids.Centroids.Save(writer);
                });
                return centroids;
            },
            cancellationToken);
    }

    /// <summary>Runs one self-training round with dynamic pseudo-label selection and online centroid updates.</summary>
    /// <param name="student">The model; trained in place. Its EMA teacher restarts from it.</param>
    /// <param name="source">The labelled source set.</param>
    /// <param name="pseudoLabelledTarget">The target images with their offline pseudo-labels (<see cref="GeneratePseudoLabelsAsync"/>).</param>
    /// <param name="centroids">The class centroids; updated online in place.</param>
    /// <param name="round">The 1-based round; it names the stage (<c>selfTraining1</c>, …).</param>
    /// <param name="validation">An optional labelled validation set.</param>
    /// <param name="selector">The selector for this call; <see langword="null"/> uses the pipeline's.</param>
    /// <param name="stageName">The stage name; <see langword="null"/> uses <c>selfTraining{round}</c>.</param>
    /// <param name="progress">Receives progress reports.</param>
    /// <param name="cancellationToken">Stops the stage after writing a checkpoint.</param>
    /// <returns>The stage's result.</returns>
    public async Task<StageResult> SelfTrainAsync(
        ISegmentationModel student,
        ISegmentationDataset source,
        ISegmentationDataset pseudoLabelledTarget,
        ClassCentroids centroids,
        int round,
        ISegmentationDataset? validation = null,
        IPseudoLabelSelector? selector = null,
        string? stageName = null,
        IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(centroids);
        RequireLabels(source, nameof(source));
        RequireLabels(pseudoLabelledTarget, nameof(pseudoLabelledTarget));
        ArgumentOutOfRangeException.ThrowIfLessThan(round, 1);
        var name = stageName ?? $"selfTraining{round}";
        var options = Options.SelfTraining;
        using var sourceStream = CreateStream(source, student, options.Stage, salt: 10 + round, source: true, randomScale: options.Stage.RandomScale);
        using var targetStream = CreateStream(pseudoLabelledTarget, student, options.Stage, salt: 20 + round, source: false, randomScale: options.Stage.RandomScale);
        var components = new StageComponents(CreateLoss(), _distiller, _mixer, selector ?? _selector, _translator);
        using var stage = new SelfTrainingStage(options, name, student, Context(name, student, validation), sourceStream, targetStream, components, centroids);
        return await stage.RunAsync(progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Evaluates a model on a labelled set with the configured multi-scale protocol (eval mode).</summary>
    /// <param name="model">The model; put in eval mode and left in eval mode.</param>
    /// <param name="data">A labelled set.</param>
    /// <param name="cancellationToken">Stops between batches.</param>
    /// <returns>Per-class IoU, mIoU and pixel accuracy over the model's classes.</returns>
    public Task<SegmentationMetrics> EvaluateAsync(ISegmentationModel model, ISegmentationDataset data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        RequireLabels(data, nameof(data));
        return TrainingThread.RunAsync(() => Evaluate(model, data, cancellationToken), cancellationToken);
    }

    private SegmentationMetrics Evaluate(ISegmentationModel model, ISegmentationDataset data, CancellationToken cancellationToken)
    {
        using var fused = new MultiScaleInference(model, new MultiScaleInferenceOptions { Scales = Options.Evaluation.Scales, HorizontalFlip = Options.Evaluation.HorizontalFlip }, ownsInnerModel: false);
        using var confusion = new ConfusionMatrix(model.Info.ClassCount, DeviceOf(model));
        model.Module.eval();
        ForEachBatch(data, model, batch =>
        {
            using var output = fused.Forward(batch.Images);
            using var predictions = output.Logits.argmax(1);
            confusion.Update(predictions, batch.Labels!);
        }, cancellationToken);
        return confusion.ComputeMetrics(model.Info.ClassNames);
    }

    private void ForEachBatch(ISegmentationDataset data, ISegmentationModel model, Action<SegmentationBatch> body, CancellationToken cancellationToken)
    {
        using var loader = new SegmentationDataLoader(data, new DataLoaderOptions
        {
            BatchSize = Options.Data.InferenceBatchSize,
            Shuffle = false,
            Epochs = 1,
            Workers = Options.Data.Workers,
            PrefetchBatches = Options.Data.PrefetchBatches,
            Device = DeviceOf(model).ToString(),
            Normalization = model.Info.Normalization,
            InvalidSamplePolicy = Options.Data.InvalidSamplePolicy,
        });
        using var noGrad = no_grad();
        while (true)
        {
            using var scope = NewDisposeScope();
            using var batch = loader.Next(cancellationToken);
            if (batch is null)
            {
                return;
            }

            body(batch);
        }
    }

    private BatchStream CreateStream(ISegmentationDataset data, ISegmentationModel model, StageOptions stage, int salt, bool source, bool randomScale) =>
        CreateStream(data, DeviceOf(model), model.Info.Normalization, stage, salt, source, randomScale);

    private BatchStream CreateStream(ISegmentationDataset data, Device device, ImageNormalization normalization, StageOptions stage, int salt, bool source, bool randomScale)
    {
        var crop = Options.Data.CropHeight is { } h && Options.Data.CropWidth is { } w
            ? (IJointTransform)(randomScale ? new RandomSizedCrop(h, w) : new RandomCrop(h, w))
            : null;
        if (crop is not null && source && Options.Data.SourceRejectionSampling)
        {
            crop = new SourceRejectionSampling(crop);
        }

        var transforms = new List<IJointTransform>();
        if (Options.Data.HorizontalFlip)
        {
            transforms.Add(new RandomHorizontalFlip());
        }

        if (crop is not null)
        {
            transforms.Add(crop);
        }

        var options = new DataLoaderOptions
        {
            BatchSize = stage.BatchSize,
            Shuffle = true,
            Seed = unchecked((Seed * 1_000_003) + salt),
            DropLast = true,
            Workers = Options.Data.Workers,
            PrefetchBatches = Options.Data.PrefetchBatches,
            Device = device.ToString(),
            Normalization = normalization,
            InvalidSamplePolicy = Options.Data.InvalidSamplePolicy,
        };
        return new BatchStream(data, options, transforms.Count == 0 ? null : new JointTransformPipeline(transforms));
    }

    private StageContext Context(string stageName, ISegmentationModel model, ISegmentationDataset? validation) =>
        new(DeviceOf(model), Seed)
        {
            CheckpointDirectory = Path.Combine(Options.WorkDirectory, "stages", stageName),
            Validate = validation is null ? null : m => Evaluate(m, validation, CancellationToken.None),
            Logger = _logger,
        };

    private ISegmentationLoss CreateLoss() => Options.SupervisedLoss switch
    {
        SupervisedLossKind.Ohem => new OhemCrossEntropy(Options.Ohem),
        _ => new CrossEntropy2d(Options.CrossEntropy),
    };

    private static Device DeviceOf(ISegmentationModel model) => model.Module.parameters().First().device;

    private static void RequireLabels(ISegmentationDataset data, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(data, parameterName);
        if (!data.HasLabels)
        {
            throw new ArgumentException($"Dataset '{data.Name}' has no labels, but this stage needs them.", parameterName);
        }
    }
}
