using System.ComponentModel.DataAnnotations;

namespace DiGA.Core.Training;

/// <summary>
/// One training stream of a domain: a view of the domain's dataset at one pre-resize size, with its own seeded order.
/// Each stage's <see cref="StageOptions.StreamShares"/> says how many of its images a batch takes; a batch concatenates
/// the streams' images in list order, as the reference concatenates its low-resolution loader's images and then its
/// high-resolution loader's (<see cref="TrainingDataOptions.SourceStreams"/>).
/// </summary>
/// <remarks>
/// Each image is resized to the pre-resize size (image bicubic, antialiased when downscaling; label and pseudo-label
/// nearest) before the flip, the random rescale and the crop. After the random rescale, an image smaller than the crop in
/// either direction is resized whole to the crop size instead of being cropped, as the reference does: a 512×1024 view
/// becomes a random-aspect view of the whole image.
/// </remarks>
public sealed class TrainingStreamOptions
{
    /// <summary>Gets or sets the height images are resized to before augmentation; with <see cref="PreResizeWidth"/>, or both unset (null) to keep the loaded size.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    [Range(8, 16384)]
    public int? PreResizeHeight { get; set; }

    /// <summary>Gets or sets the width images are resized to before augmentation; set together with <see cref="PreResizeHeight"/>.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    [Range(8, 16384)]
    public int? PreResizeWidth { get; set; }
}
