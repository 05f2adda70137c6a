using System.ComponentModel.DataAnnotations;

namespace DiGA.Core.Testing;

/// <summary>The sizes and noise of a <see cref="SelectorTestData"/> batch.</summary>
public sealed class SelectorTestDataOptions
{
    /// <summary>Gets or sets the batch size N.</summary>
    /// <value>The default value is 2.</value>
    [Range(1, 64)]
    public int BatchSize { get; set; } = 2;

    /// <summary>Gets or sets the number of classes C.</summary>
    /// <value>The default value is 4.</value>
    [Range(2, 255)]
    public int ClassCount { get; set; } = 4;

    /// <summary>Gets or sets the feature size D; it must be at least <see cref="ClassCount"/> so the centroids can be orthogonal.</summary>
    /// <value>The default value is 8.</value>
    [Range(2, 4096)]
    public int FeatureChannels { get; set; } = 8;

    /// <summary>Gets or sets the height h of the teacher's output grid.</summary>
    /// <value>The default value is 5.</value>
    [Range(2, 1024)]
    public int Height { get; set; } = 5;

    /// <summary>Gets or sets the width w of the teacher's output grid.</summary>
    /// <value>The default value is 6.</value>
    [Range(2, 1024)]
    public int Width { get; set; } = 6;

    /// <summary>Gets or sets the height H of the label maps.</summary>
    /// <value>The default value is 13.</value>
    [Range(2, 8192)]
    public int LabelHeight { get; set; } = 13;

    /// <summary>Gets or sets the width W of the label maps.</summary>
    /// <value>The default value is 16.</value>
    [Range(2, 8192)]
    public int LabelWidth { get; set; } = 16;

    /// <summary>Gets or sets the fraction of label pixels whose offline label is changed to a wrong class.</summary>
    /// <value>The default value is 0.25.</value>
    [Range(0.0, 1.0)]
    public double NoiseRate { get; set; } = 0.25;

    /// <summary>Gets or sets the fraction of label pixels whose offline label is set to 255.</summary>
    /// <value>The default value is 0.05.</value>
    [Range(0.0, 1.0)]
    public double IgnoreRate { get; set; } = 0.05;

    /// <summary>Gets or sets the seed of the data.</summary>
    /// <value>The default value is 0.</value>
    public int Seed { get; set; }
}
