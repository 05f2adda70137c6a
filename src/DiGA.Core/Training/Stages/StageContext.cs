using DiGA.Core.Kernels.Metrics;
using DiGA.Core.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using static TorchSharp.torch;

namespace DiGA.Core.Training.Stages;

/// <summary>Where and how a stage runs: device, seed, checkpoint folder, validation and logging.</summary>
/// <param name="Device">The device of the models and batches.</param>
/// <param name="Seed">The seed of the stage's random generator, of its data order, and, with the iteration, of each iteration's dropout draws.</param>
internal sealed record StageContext(Device Device, int Seed)
{
    /// <summary>Gets the folder of the stage's <c>last.ckpt</c> and <c>best.ckpt</c>; <see langword="null"/> writes no checkpoint.</summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>Gets the validation function (it sets eval mode itself), or <see langword="null"/> for none.</summary>
    public Func<ISegmentationModel, SegmentationMetrics>? Validate { get; init; }

    /// <summary>Gets the scale of the training images, recorded in the best checkpoint for prediction on other images.</summary>
    public InputScale? InputScale { get; init; }

    /// <summary>
    /// Gets whether the stage leaves its best validation checkpoint in the student when it returns, instead of its last
    /// state; it then needs <see cref="Validate"/> and <see cref="CheckpointDirectory"/>.
    /// </summary>
    public bool LeaveBestCheckpoint { get; init; }

    /// <summary>Gets the logger.</summary>
    public ILogger Logger { get; init; } = NullLogger.Instance;
}
