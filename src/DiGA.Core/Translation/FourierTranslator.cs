using DiGA.Core.Foundation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Translation;

/// <summary>
/// Training-free Fourier domain adaptation (FDA, Yang and Soatto, 2020): replaces the low-frequency amplitude spectrum
/// of each source image with that of a target image and keeps the source phase.
/// </summary>
/// <remarks>
/// Per source image <c>[3, H, W]</c> (RGB, 0–255 scale): <c>F = FFT2(x)</c>; the amplitude <c>|F|</c> at the signed
/// frequencies <c>−b … b−1</c> on both axes, <c>b = ⌊min(H, W)·β⌋</c> (the four corner blocks of the unshifted
/// spectrum, as in the FDA reference), is replaced by the target amplitude; the output is the real part of the
/// inverse transform, clamped to [0, 255] and renormalised (the band is not conjugate-symmetric at frequency −b, so
/// the real part keeps only half of the change there; frequencies −b+1 … b−1 carry the target amplitude exactly). β = 0 swaps nothing and returns the input (up to FFT
/// round-off). The target amplitude comes from an <see cref="AmplitudeSpectrumBank"/>: a random target image per
/// source image, or the bank average. The translator owns the bank (disposing the translator disposes it) and is safe to share
/// between threads.
/// </remarks>
public sealed class FourierTranslator : IDomainTranslator
{
    private readonly AmplitudeSpectrumBank _bank;
    private readonly double _beta;
    private readonly ImageNormalization _normalization;
    private readonly TargetStyleSelection _selection;

    /// <summary>Creates a translator over fitted target amplitude spectra.</summary>
    /// <param name="bank">The target amplitudes; the translator takes ownership and disposes them.</param>
    /// <param name="options">The options; defaults when null. Read once.</param>
    /// <param name="logger">An optional logger.</param>
    /// <exception cref="ArgumentOutOfRangeException">β is outside [0, 0.5].</exception>
    public FourierTranslator(AmplitudeSpectrumBank bank, FourierTranslatorOptions? options = null, ILogger<FourierTranslator>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(bank);
        options ??= new FourierTranslatorOptions();
        FourierTranslatorOptions.ValidateBeta(options.Beta, nameof(options));
        _bank = bank;
        _beta = options.Beta;
        _normalization = options.Normalization ?? throw new ArgumentException($"{nameof(FourierTranslatorOptions.Normalization)} must not be null.", nameof(options));
        _selection = options.Selection;
        if (!Enum.IsDefined(_selection))
        {
            throw new ArgumentException($"Unknown {nameof(TargetStyleSelection)} {_selection}.", nameof(options));
        }

        (logger ?? NullLogger<FourierTranslator>.Instance).LogDebug("Fourier translator over {Count} target images, beta {Beta}, selection {Selection}.", bank.Count, _beta, _selection);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The images are not <c>[N, 3, H, W]</c> float, or a random style is requested without a generator.</exception>
    /// <exception cref="InvalidOperationException">The band half-size at this image size exceeds the half-size the bank was fitted with.</exception>
    public Tensor Translate(in TranslationArguments arguments)
    {
        var images = arguments.SourceImages;
        Guard.Images(images, nameof(arguments));
        var (batch, height, width) = (images.shape[0], images.shape[2], images.shape[3]);
        var halfSize = BandHalfSize(height, width, _beta);
        if (halfSize > _bank.HalfSize)
        {
            throw new InvalidOperationException(
                $"Images {height}×{width} with beta {_beta} need a band half-size of {halfSize}, but the amplitude bank holds {_bank.HalfSize}. Fit the bank with a larger beta or larger images.");
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var device = images.device;
        var spectrum = fft.fft2(_normalization.Denormalize(images.to(ScalarType.Float32)), norm: FFTNormType.Forward);
        var amplitude = spectrum.abs();
        var phase = spectrum.angle();
        if (halfSize > 0)
        {
            var offset = _bank.HalfSize - halfSize;
            var window = (offset, offset + (2 * halfSize));
            Tensor target;
            if (_selection == TargetStyleSelection.GlobalAverage)
            {
                target = _bank.MeanAmplitude.to(device)[.., window.Item1..window.Item2, window.Item1..window.Item2].expand(batch, 3, 2 * halfSize, 2 * halfSize);
            }
            else
            {
                var indices = TranslationSupport.DrawIndices(_bank.Count, batch, device, arguments.Generator, nameof(arguments));
                target = _bank.Amplitudes.to(device).index_select(0, indices)[.., .., window.Item1..window.Item2, window.Item1..window.Item2];
            }

            var rows = AmplitudeSpectrumBank.BandIndices(halfSize, height, device).unsqueeze(1);
            var cols = AmplitudeSpectrumBank.BandIndices(halfSize, width, device).unsqueeze(0);
            amplitude.index_put_(target.contiguous(), TensorIndex.Ellipsis, TensorIndex.Tensor(rows), TensorIndex.Tensor(cols));
        }

        var output = fft.ifft2(polar(amplitude, phase), norm: FFTNormType.Forward).real.clamp(Scalars.Of(0), Scalars.Of(255));
        return _normalization.Normalize(output).MoveToOuterDisposeScope();
    }

    /// <summary>The band half-size <c>⌊min(H, W)·β⌋</c>.</summary>
    internal static int BandHalfSize(long height, long width, double beta) => (int)Math.Floor(Math.Min(height, width) * beta);

    /// <summary>Disposes the bank the translator owns.</summary>
    public void Dispose() => _bank.Dispose();
}
