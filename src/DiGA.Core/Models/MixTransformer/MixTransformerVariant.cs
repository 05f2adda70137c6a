namespace DiGA.Core.Models.MixTransformer;

/// <summary>The Mix Transformer encoder sizes of SegFormer (embedding widths and block counts per stage).</summary>
public enum MixTransformerVariant
{
    /// <summary>MiT-B0: widths 32, 64, 160, 256; depths 2, 2, 2, 2.</summary>
    B0,

    /// <summary>MiT-B1: widths 64, 128, 320, 512; depths 2, 2, 2, 2.</summary>
    B1,

    /// <summary>MiT-B2: widths 64, 128, 320, 512; depths 3, 4, 6, 3.</summary>
    B2,

    /// <summary>MiT-B3: widths 64, 128, 320, 512; depths 3, 4, 18, 3.</summary>
    B3,

    /// <summary>MiT-B4: widths 64, 128, 320, 512; depths 3, 8, 27, 3.</summary>
    B4,

    /// <summary>MiT-B5: widths 64, 128, 320, 512; depths 3, 6, 40, 3.</summary>
    B5,
}
