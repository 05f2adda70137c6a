using DiGA.Core.Foundation;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace DiGA.Core.Translation;

/// <summary>Low-frequency amplitude spectra of target images: the style bank of <see cref="FourierTranslator"/>.</summary>
/// <remarks>
/// For each target image the bank keeps the amplitude of the 2-D discrete Fourier transform (RGB, 0–255 scale,
/// normalised by the pixel count, so it does not depend on the image size) at the signed frequencies
/// <c>−B … B−1</c> (cycles per image) on both axes: a <c>[3, 2B, 2B]</c> window ordered from the most negative
/// frequency. Because frequencies are counted in cycles per image, a window fitted on one image size serves any
/// source size whose band half-size does not exceed <see cref="HalfSize"/>, which stands for the target amplitude
/// resampled to the source size. The bank owns its tensors.
/// </remarks>
public sealed class AmplitudeSpectrumBank : IDisposable
{
    private const string AmplitudesKey = "amplitudes";

    private AmplitudeSpectrumBank(Tensor amplitudes)
    {
        Amplitudes = amplitudes;
        MeanAmplitude = amplitudes.mean([0]).DetachFromDisposeScope();
    }

    /// <summary>Gets the per-image low-frequency amplitude windows <c>[T, 3, 2B, 2B]</c>, float32, owned by the bank.</summary>
    public Tensor Amplitudes { get; }

    /// <summary>Gets the average window over the images <c>[3, 2B, 2B]</c>, owned by the bank.</summary>
    public Tensor MeanAmplitude { get; }

    /// <summary>Gets the number of target images <c>T</c>.</summary>
    public long Count => Amplitudes.shape[0];

    /// <summary>Gets the band half-size <c>B</c>: the largest half-size a translation may swap.</summary>
    public int HalfSize => (int)(Amplitudes.shape[2] / 2);

    /// <summary>Computes the low-frequency amplitude windows of every image of the target batches.</summary>
    /// <param name="targetBatches">Normalised target images, each batch <c>[N, 3, H, W]</c> float; sizes may differ. The batches are not disposed.</param>
    /// <param name="beta">The band ratio β: the window half-size is <c>B = min over batches of ⌊min(H, W)·β⌋</c>. Use the β (or a larger one) of the translator. The default is 0.01.</param>
    /// <param name="normalization">How the batches were normalised. The default is <see cref="ImageNormalization.Reference"/>.</param>
    /// <returns>A new bank on the device of the first batch, owned by the caller.</returns>
    /// <exception cref="ArgumentException">A batch is not <c>[N, 3, H, W]</c>, β is outside [0, 0.5], or there are no images.</exception>
    public static AmplitudeSpectrumBank Fit(IEnumerable<Tensor> targetBatches, double beta = 0.01, ImageNormalization? normalization = null)
    {
        ArgumentNullException.ThrowIfNull(targetBatches);
        FourierTranslatorOptions.ValidateBeta(beta, nameof(beta));
        normalization ??= ImageNormalization.Reference;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var windows = new List<(Tensor Window, int HalfSize)>();
        Device? device = null;
        foreach (var batch in targetBatches)
        {
            Guard.Images(batch, nameof(targetBatches));
            device ??= batch.device;
            var halfSize = FourierTranslator.BandHalfSize(batch.shape[2], batch.shape[3], beta);
            var rgb = normalization.Denormalize(batch.to(ScalarType.Float32)).clamp_(Scalars.Of(0), Scalars.Of(255));
            var amplitude = fft.fft2(rgb, norm: FFTNormType.Forward).abs();
            windows.Add((ExtractWindow(amplitude, halfSize).to(device), halfSize));
        }

        if (windows.Count == 0 || windows.Sum(w => w.Window.shape[0]) == 0)
        {
            throw new ArgumentException("No target images were given.", nameof(targetBatches));
        }

        var common = windows.Min(w => w.HalfSize);
        var cropped = windows.Select(w => w.Window[.., .., (w.HalfSize - common)..(w.HalfSize + common), (w.HalfSize - common)..(w.HalfSize + common)]).ToList();
        return new AmplitudeSpectrumBank(cat(cropped, 0).contiguous().DetachFromDisposeScope());
    }

    /// <summary>Loads a bank written by <see cref="Save"/>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="device">The device of the loaded tensors; CPU when null.</param>
    /// <returns>A new bank owned by the caller.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not an amplitude spectrum bank.</exception>
    public static AmplitudeSpectrumBank Load(string path, Device? device = null)
    {
        using var scope = NewDisposeScope();
        var state = TranslationSupport.ReadStateDict(path, "Amplitude spectrum file", "an amplitude spectrum file");

        if (!state.TryGetValue(AmplitudesKey, out var amplitudes) || amplitudes.dim() != 4 || amplitudes.shape[0] == 0
            || amplitudes.shape[1] != 3 || amplitudes.shape[2] != amplitudes.shape[3] || amplitudes.shape[2] % 2 != 0)
        {
            throw new InvalidDataException($"'{path}' is not an amplitude spectrum file: expected a non-empty '{AmplitudesKey}' tensor [T, 3, 2B, 2B].");
        }

        return new AmplitudeSpectrumBank(amplitudes.to(ScalarType.Float32).to(device ?? CPU).DetachFromDisposeScope());
    }

    /// <summary>Writes the bank to a small safetensors file (atomically: temporary file, then rename).</summary>
    /// <param name="path">The file to create or replace.</param>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var scope = NewDisposeScope();
        var state = new Dictionary<string, Tensor> { [AmplitudesKey] = Amplitudes.cpu().contiguous() };
        AtomicFile.Write(path, stream => Safetensors.SaveStateDict(stream, state, leaveOpen: true));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Amplitudes.Dispose();
        MeanAmplitude.Dispose();
    }

    /// <summary>Signed-frequency indices <c>−b … b−1</c> wrapped into <c>[0, size)</c>, on <paramref name="device"/>.</summary>
    internal static Tensor BandIndices(int halfSize, long size, Device device)
    {
        using var start = Scalars.Create(-halfSize);
        using var stop = Scalars.Create(halfSize);
        using var modulus = Scalars.Create(size);
        return arange(start, stop, Scalars.One, dtype: ScalarType.Int64, device: device).remainder_(modulus);
    }

    /// <summary>Gathers the <c>[.., 2b, 2b]</c> window of signed frequencies <c>−b … b−1</c> from full spectra <c>[N, 3, H, W]</c>.</summary>
    private static Tensor ExtractWindow(Tensor spectrum, int halfSize)
    {
        var rows = BandIndices(halfSize, spectrum.shape[2], spectrum.device);
        var cols = BandIndices(halfSize, spectrum.shape[3], spectrum.device);
        return spectrum.index_select(2, rows).index_select(3, cols);
    }
}
