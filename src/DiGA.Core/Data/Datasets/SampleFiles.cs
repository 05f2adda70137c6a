namespace DiGA.Core.Data.Datasets;

/// <summary>The files of one sample of a file-based dataset.</summary>
/// <param name="Id">The sample id (the image file name without extension).</param>
/// <param name="ImagePath">The RGB image file.</param>
/// <param name="LabelPath">The label file, or <see langword="null"/> when the sample has none.</param>
public readonly record struct SampleFiles(string Id, string ImagePath, string? LabelPath);
