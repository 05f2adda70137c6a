namespace DiGA.Core.Models;

/// <summary>The scale a model was trained at: the size of its training images and, when it was trained on crops of them, the crop size.</summary>
/// <param name="ImageHeight">The height of the training images (after any pre-resize).</param>
/// <param name="ImageWidth">The width of the training images.</param>
/// <param name="CropHeight">The height of the training crops, or <see langword="null"/> for whole images.</param>
/// <param name="CropWidth">The width of the training crops, or <see langword="null"/> for whole images.</param>
public sealed record InputScale(int ImageHeight, int ImageWidth, int? CropHeight = null, int? CropWidth = null)
{
    /// <summary>Gets the window a prediction at this scale is computed in: the crop, or the whole training image.</summary>
    public (int Height, int Width) Window => (CropHeight ?? ImageHeight, CropWidth ?? ImageWidth);
}
