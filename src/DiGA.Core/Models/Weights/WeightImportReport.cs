namespace DiGA.Core.Models.Weights;

/// <summary>What <see cref="WeightImporter"/> loaded and what it could not match. Keys are model keys (after key mapping).</summary>
/// <param name="LoadedKeys">The entries copied into the model.</param>
/// <param name="MissingKeys">Model entries absent from the file (and not ignored by the options).</param>
/// <param name="UnexpectedKeys">File entries the model does not have (after skipping).</param>
/// <param name="ShapeMismatches">Entries present on both sides with different shapes.</param>
/// <param name="SkippedKeys">File entries dropped by <see cref="WeightImportOptions.SkipSourcePrefixes"/> (file keys).</param>
public sealed record WeightImportReport(
    IReadOnlyList<string> LoadedKeys,
    IReadOnlyList<string> MissingKeys,
    IReadOnlyList<string> UnexpectedKeys,
    IReadOnlyList<WeightShapeMismatch> ShapeMismatches,
    IReadOnlyList<string> SkippedKeys)
{
    /// <summary>Gets a value indicating whether every model entry was loaded and every file entry was used.</summary>
    public bool IsComplete => MissingKeys.Count == 0 && UnexpectedKeys.Count == 0 && ShapeMismatches.Count == 0;

    /// <summary>Formats the problems, one per line.</summary>
    /// <returns>A readable summary of missing, unexpected and mismatched keys.</returns>
    public string Describe()
    {
        var lines = new List<string>();
        if (MissingKeys.Count > 0)
        {
            lines.Add($"missing keys ({MissingKeys.Count}): {string.Join(", ", MissingKeys)}");
        }

        if (UnexpectedKeys.Count > 0)
        {
            lines.Add($"unexpected keys ({UnexpectedKeys.Count}): {string.Join(", ", UnexpectedKeys)}");
        }

        if (ShapeMismatches.Count > 0)
        {
            lines.Add($"shape mismatches ({ShapeMismatches.Count}): {string.Join("; ", ShapeMismatches)}");
        }

        return lines.Count == 0 ? "all keys matched" : string.Join(Environment.NewLine, lines);
    }
}
