using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DiGA.Core.Data.Synthetic;

/// <summary>
/// A procedural domain-shift benchmark: street scenes in the Cityscapes train-id space, a labelled "game-like" source
/// domain and a "real-like" target domain (<see cref="TargetStyle"/>), generated deterministically from a seed, no files needed.
/// </summary>
/// <remarks>
/// The three sets are generated on first access and kept in memory. Every image is a pure function of
/// (seed, split, index) and the options; the target layouts (and so the labels) do not depend on the target style.
/// Thread-safe.
/// </remarks>
public sealed class SyntheticBenchmark
{
    private readonly Lazy<SyntheticDataset> _source;
    private readonly Lazy<SyntheticDataset> _targetTrain;
    private readonly Lazy<SyntheticDataset> _targetVal;
    private readonly ILogger _logger;

    /// <summary>Initialises the benchmark.</summary>
    /// <param name="options">The options, or <see langword="null"/> for the defaults (128×256, 1000/1000/200 images, seed 0).</param>
    /// <param name="logger">An optional logger.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public SyntheticBenchmark(SyntheticBenchmarkOptions? options = null, ILogger<SyntheticBenchmark>? logger = null)
    {
        Options = options ?? new SyntheticBenchmarkOptions();
        Validate(Options);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _source = new Lazy<SyntheticDataset>(() => Generate(SyntheticSplit.Source));
        _targetTrain = new Lazy<SyntheticDataset>(() => Generate(SyntheticSplit.TargetTrain));
        _targetVal = new Lazy<SyntheticDataset>(() => Generate(SyntheticSplit.TargetVal));
    }

    /// <summary>Gets the options.</summary>
    public SyntheticBenchmarkOptions Options { get; }

    /// <summary>Gets the labelled source training set.</summary>
    public SyntheticDataset Source => _source.Value;

    /// <summary>Gets the target training set (labels for evaluation and the oracle only).</summary>
    public SyntheticDataset TargetTrain => _targetTrain.Value;

    /// <summary>Gets the target validation set.</summary>
    public SyntheticDataset TargetVal => _targetVal.Value;

    /// <summary>Writes the three sets as files that the dataset readers read back.</summary>
    /// <remarks>
    /// <c>root/source</c> uses the GTA5 layout (<c>images/NNNNN.png</c>, <c>labels/NNNNN.png</c> palette PNGs of
    /// Cityscapes labelIds); <c>root/target</c> uses the Cityscapes layout (<c>leftImg8bit/{train,val}/synthetic/…</c>
    /// and <c>gtFine/{train,val}/synthetic/…_gtFine_labelIds.png</c>).
    /// </remarks>
    /// <param name="root">The output directory (created if needed).</param>
    public void WriteToDisk(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        SyntheticDiskWriter.Write(this, root);
    }

    internal static void Validate(SyntheticBenchmarkOptions options)
    {
        var results = new List<ValidationResult>();
        Check(options, nameof(SyntheticBenchmarkOptions), results);
        Check(options.SourceLayout, nameof(options.SourceLayout), results);
        Check(options.TargetLayout, nameof(options.TargetLayout), results);
        Check(options.TargetAppearance, nameof(options.TargetAppearance), results);
        Check(options.Fog, nameof(options.Fog), results);
        Check(options.Night, nameof(options.Night), results);
        Check(options.Photoreal, nameof(options.Photoreal), results);
        foreach (var layout in (ReadOnlySpan<SceneLayoutOptions?>)[options.SourceLayout, options.TargetLayout])
        {
            if (layout is not null && (layout.HorizonMin > layout.HorizonMax || layout.PolesMin > layout.PolesMax || layout.TreesMin > layout.TreesMax))
            {
                results.Add(new ValidationResult("SceneLayoutOptions: each minimum (horizon, poles, trees) must not exceed its maximum."));
            }
        }

        if (results.Count > 0)
        {
            throw new ArgumentException($"Invalid {nameof(SyntheticBenchmarkOptions)}: {string.Join(" ", results.Select(r => r.ErrorMessage))}", nameof(options));
        }
    }

    private static void Check(object? value, string name, List<ValidationResult> results)
    {
        if (value is null)
        {
            results.Add(new ValidationResult($"{name} is required."));
            return;
        }

        Validator.TryValidateObject(value, new ValidationContext(value), results, validateAllProperties: true);
    }

    private SyntheticDataset Generate(SyntheticSplit split)
    {
        var started = TimeProvider.System.GetTimestamp();
        var dataset = new SyntheticDataset(Options, split);
        _logger.LogInformation("Generated {Dataset}: {Count} images of {Width}x{Height} in {Seconds:F2} s", dataset.Name, dataset.Count, Options.Width, Options.Height, TimeProvider.System.GetElapsedTime(started).TotalSeconds);
        return dataset;
    }
}
