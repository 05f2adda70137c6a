namespace DiGA.Core.Models.Weights;

/// <summary>A state-dictionary entry whose shape in the file differs from the model's.</summary>
/// <param name="Key">The model key.</param>
/// <param name="ExpectedShape">The shape in the model.</param>
/// <param name="ActualShape">The shape in the file.</param>
public sealed record WeightShapeMismatch(string Key, IReadOnlyList<long> ExpectedShape, IReadOnlyList<long> ActualShape)
{
    /// <inheritdoc />
    public override string ToString() => $"{Key}: model [{string.Join(", ", ExpectedShape)}], file [{string.Join(", ", ActualShape)}]";
}
