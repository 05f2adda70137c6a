namespace DiGA.Core.Models.Weights;

/// <summary>A regular-expression rewrite of file keys (.NET syntax, culture-invariant), applied by <see cref="WeightImporter"/> in the order of <see cref="WeightImportOptions.Renames"/>.</summary>
/// <param name="Pattern">The pattern, for example <c>\.attention\.output\.dense\.</c>.</param>
/// <param name="Replacement">The replacement; <c>$1</c> and similar refer to the pattern's groups.</param>
public sealed record WeightKeyRename(string Pattern, string Replacement);
