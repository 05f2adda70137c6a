namespace DiGA.Core.Models.MixTransformer;

/// <summary>The decoder on top of a Mix Transformer encoder.</summary>
public enum MixTransformerDecoder
{
    /// <summary>The DAFormer context-aware fusion head (<c>daformer_sepaspp</c>): per-level linear embedding, depthwise-separable ASPP fusion (dilations 1, 6, 12, 18) and a 3×3 bottleneck.</summary>
    DAFormer,

    /// <summary>The SegFormer all-MLP head: per-level linear embedding, concatenation and a 1×1 fusion.</summary>
    SegFormer,
}
