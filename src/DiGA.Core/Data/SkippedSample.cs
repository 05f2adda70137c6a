namespace DiGA.Core.Data;

/// <summary>A sample left out under <see cref="InvalidSamplePolicy.Skip"/>.</summary>
/// <param name="Id">The sample identifier (file stem or list entry).</param>
/// <param name="FilePath">The offending file.</param>
/// <param name="Reason">What is wrong with it.</param>
public readonly record struct SkippedSample(string Id, string FilePath, string Reason);
