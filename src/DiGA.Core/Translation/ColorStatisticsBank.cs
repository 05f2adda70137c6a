using DiGA.Core.Foundation;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace DiGA.Core.Translation;

/// <summary>Per-image colour statistics of target images (mean and standard deviation of Y, Cb and Cr): the style bank of <see cref="ReinhardTranslator"/>.</summary>
/// <remarks>
/// Statistics are taken in full-range BT.601 YCbCr on the 0–255 scale, over all pixels of each image (population
/// standard deviation). The bank owns its tensors; dispose it when no translator uses it any more.
/// </remarks>
public sealed class ColorStatisticsBank : IDisposable
{
    private const string MeansKey = "means";
    private const string StdsKey = "stds";

    private ColorStatisticsBank(Tensor means, Tensor stds)
    {
        Means = means;
        Stds = stds;
        GlobalMean = means.mean([0]).DetachFromDisposeScope();
        GlobalStd = stds.mean([0]).DetachFromDisposeScope();
    }

    /// <summary>Gets the per-image channel means <c>[T, 3]</c> (Y, Cb, Cr), float32, owned by the bank.</summary>
    public Tensor Means { get; }

    /// <summary>Gets the per-image channel standard deviations <c>[T, 3]</c> (Y, Cb, Cr), float32, owned by the bank.</summary>
    public Tensor Stds { get; }

    /// <summary>Gets the average of <see cref="Means"/> over the images <c>[3]</c>, owned by the bank.</summary>
    public Tensor GlobalMean { get; }

    /// <summary>Gets the average of <see cref="Stds"/> over the images <c>[3]</c>, owned by the bank.</summary>
    public Tensor GlobalStd { get; }

    /// <summary>Gets the number of target images <c>T</c>.</summary>
    public long Count => Means.shape[0];

    /// <summary>Gathers the statistics of every image of the target batches.</summary>
    /// <param name="targetBatches">Normalised target images, each batch <c>[N, 3, H, W]</c> float; sizes may differ between batches. The batches are not disposed.</param>
    /// <param name="normalization">How the batches were normalised. The default is <see cref="ImageNormalization.Reference"/>.</param>
    /// <returns>A new bank on the device of the first batch, owned by the caller.</returns>
    /// <exception cref="ArgumentException">A batch is not <c>[N, 3, H, W]</c>, or there are no images.</exception>
    public static ColorStatisticsBank Fit(IEnumerable<Tensor> targetBatches, ImageNormalization? normalization = null)
    {
        ArgumentNullException.ThrowIfNull(targetBatches);
        normalization ??= ImageNormalization.Reference;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var means = new List<Tensor>();
        var stds = new List<Tensor>();
        Device? device = null;
        foreach (var batch in targetBatches)
        {
            Guard.Images(batch, nameof(targetBatches));
            device ??= batch.device;
            var (mean, std) = ImageStatistics(batch.to(ScalarType.Float32), normalization);
            means.Add(mean.to(device));
            stds.Add(std.to(device));
        }

        if (means.Count == 0 || means.Sum(m => m.shape[0]) == 0)
        {
            throw new ArgumentException("No target images were given.", nameof(targetBatches));
        }

        var bank = new ColorStatisticsBank(cat(means, 0).DetachFromDisposeScope(), cat(stds, 0).DetachFromDisposeScope());
        return bank;
    }

    /// <summary>Loads a bank written by <see cref="Save"/>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="device">The device of the loaded tensors; CPU when null.</param>
    /// <returns>A new bank owned by the caller.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a colour statistics bank.</exception>
    public static ColorStatisticsBank Load(string path, Device? device = null)
    {
        using var scope = NewDisposeScope();
        var state = TranslationSupport.ReadStateDict(path, "Colour statistics file", "a colour statistics file");

        if (!state.TryGetValue(MeansKey, out var means) || !state.TryGetValue(StdsKey, out var stds)
            || means.dim() != 2 || means.shape[1] != 3 || !means.shape.SequenceEqual(stds.shape) || means.shape[0] == 0)
        {
            throw new InvalidDataException($"'{path}' is not a colour statistics file: expected non-empty '{MeansKey}' and '{StdsKey}' tensors [T, 3].");
        }

        var target = device ?? CPU;
        return new ColorStatisticsBank(
            means.to(ScalarType.Float32).to(target).DetachFromDisposeScope(),
            stds.to(ScalarType.Float32).to(target).DetachFromDisposeScope());
    }

    /// <summary>Writes the bank to a small safetensors file (atomically: temporary file, then rename).</summary>
    /// <param name="path">The file to create or replace.</param>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var scope = NewDisposeScope();
        var state = new Dictionary<string, Tensor>
        {
            [MeansKey] = Means.cpu().contiguous(),
            [StdsKey] = Stds.cpu().contiguous(),
        };
        AtomicFile.Write(path, stream => Safetensors.SaveStateDict(stream, state, leaveOpen: true));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Means.Dispose();
        Stds.Dispose();
        GlobalMean.Dispose();
        GlobalStd.Dispose();
    }

    /// <summary>Per-image YCbCr mean and population standard deviation of normalised images.</summary>
    /// <returns>Means and standard deviations <c>[N, 3]</c>, float32, in the current dispose scope.</returns>
    internal static (Tensor Mean, Tensor Std) ImageStatistics(Tensor normalized, ImageNormalization normalization)
    {
        var ycbcr = ColorSpace.RgbToYCbCr(normalization.Denormalize(normalized).clamp_(Scalars.Of(0), Scalars.Of(255)));
        var (std, mean) = std_mean(ycbcr, [2, 3], unbiased: false);
        return (mean, std);
    }
}
