using DiGA.Core.Data.Synthetic;
using DiGA.Core.Models;

namespace DiGA.Sample;

/// <summary>The sample's own settings (section <c>Sample</c>); the library's are in section <c>DiGA</c>.</summary>
public sealed class SampleSettings
{
    /// <summary>Gets or sets the output folder (metrics.json, plots, predictions, checkpoints).</summary>
    public string Output { get; set; } = "runs/demo";

    /// <summary>Gets or sets the built-in synthetic benchmark used by <c>demo</c>, <c>synth</c> and <c>train</c> without dataset paths.</summary>
    public SyntheticBenchmarkOptions Benchmark { get; set; } = new() { Height = 64, Width = 128 };

    /// <summary>Gets or sets how many target images get colourised predictions.</summary>
    public int PredictionCount { get; set; } = 6;

    /// <summary>Gets or sets the runs of <c>demo</c> (all when empty).</summary>
    public IList<string> Runs { get; set; } = [];

    /// <summary>
    /// Gets or sets how many runs of <c>demo</c> train side by side; each gets an equal share of libtorch's intra-op threads
    /// (at least one). A run's numbers depend on its thread count.
    /// </summary>
    public int ConcurrentRuns { get; set; } = 2;

    /// <summary>Gets or sets the stage of <c>train</c>.</summary>
    public string Stage { get; set; } = "all";

    /// <summary>Gets or sets a model checkpoint to load (<c>evaluate</c>, <c>predict</c>, <c>pseudo-label</c>, or <c>train</c> to start from).</summary>
    public string? Checkpoint { get; set; }

    /// <summary>Gets or sets the scale <c>predict</c> resizes images to; <see langword="null"/> uses the scale the checkpoint records.</summary>
    public InputScale? PredictionScale { get; set; }

    /// <summary>Gets or sets the input images or folder of <c>predict</c>.</summary>
    public string? Input { get; set; }

    /// <summary>Gets or sets the real datasets of <c>train</c>, <c>evaluate</c> and <c>pseudo-label</c>.</summary>
    public DatasetPaths Data { get; set; } = new();
}

/// <summary>Paths of real datasets; each is <c>kind:root</c> with kind one of gta5, synthia, cityscapes, bdd100k, mapillary, folder.</summary>
public sealed class DatasetPaths
{
    /// <summary>Gets or sets the labelled source set, for example <c>gta5:/data/GTA5</c>.</summary>
    public string? Source { get; set; }

    /// <summary>Gets or sets the target training images, for example <c>cityscapes:/data/Cityscapes</c>.</summary>
    public string? Target { get; set; }

    /// <summary>Gets or sets the labelled validation set.</summary>
    public string? Validation { get; set; }

    /// <summary>Gets or sets further labelled sets every trained model is evaluated on (domain generalisation: for example <c>bdd100k:/data/BDD100K</c>, <c>mapillary:/data/Mapillary</c>).</summary>
    public IList<string> Evaluate { get; set; } = [];

    /// <summary>Gets or sets a list file restricting the source set (for example the reference <c>train_modified.txt</c>).</summary>
    public string? SourceList { get; set; }
}
