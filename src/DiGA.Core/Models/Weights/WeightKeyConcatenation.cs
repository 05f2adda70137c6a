namespace DiGA.Core.Models.Weights;

/// <summary>
/// One model tensor stored in the file as several, concatenated along dimension 0: a (renamed) file key containing
/// <c>Sources[0]</c> and its siblings with <c>Sources[1..]</c> in its place become the model key with <see cref="Target"/>
/// in its place. Example: <c>.attn.k.</c> and <c>.attn.v.</c> → <c>.attn.kv.</c>.
/// </summary>
/// <param name="Target">The key fragment of the model tensor.</param>
/// <param name="Sources">The key fragments of the file tensors, in concatenation order.</param>
public sealed record WeightKeyConcatenation(string Target, IReadOnlyList<string> Sources);
