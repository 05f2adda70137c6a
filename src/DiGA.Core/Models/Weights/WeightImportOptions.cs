namespace DiGA.Core.Models.Weights;

/// <summary>Options of <see cref="WeightImporter"/>: strictness and the mapping from file keys to model keys.</summary>
public sealed class WeightImportOptions
{
    /// <summary>Gets or sets a value indicating whether any missing, unexpected or mismatched key fails the load (nothing is copied then).</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool Strict { get; set; } = true;

    /// <summary>Gets or sets a value indicating whether the first dot-separated component of every file key is removed (<c>Scale.conv1.weight</c> → <c>conv1.weight</c>).</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool StripFirstKeyComponent { get; set; }

    /// <summary>Gets or sets file-key prefixes (after stripping) whose entries are dropped, for example <c>layer5.</c>.</summary>
    /// <value>The default value is empty.</value>
    public IList<string> SkipSourcePrefixes { get; set; } = [];

    /// <summary>Gets or sets model-key prefixes that are not reported missing when the file lacks them (for example the head).</summary>
    /// <value>The default value is empty.</value>
    public IList<string> IgnoreMissingPrefixes { get; set; } = [];

    /// <summary>Gets or sets a value indicating whether BatchNorm <c>num_batches_tracked</c> counters may be absent from the file (old checkpoints).</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool AllowMissingBatchCounters { get; set; }

    /// <summary>
    /// Creates the options of the reference DeepLab ImageNet initialisation: strip the first key component (<c>Scale.</c>),
    /// skip <c>layer5.*</c> (the old classifier), load the backbone only (the head <c>layer5.*</c> keeps its initialisation),
    /// tolerate missing <c>num_batches_tracked</c>; strict otherwise.
    /// </summary>
    /// <returns>New options.</returns>
    public static WeightImportOptions ForDeepLabImageNetInitialization() => new()
    {
        Strict = true,
        StripFirstKeyComponent = true,
        SkipSourcePrefixes = ["layer5."],
        IgnoreMissingPrefixes = ["layer5."],
        AllowMissingBatchCounters = true,
    };
}
