using DiGA.Core.Foundation;
using DiGA.Core.Models.Weights;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace DiGA.Core.Translation.Learned;

/// <summary>
/// The learned source→target image translator: <c>dec_s2t(enc_s(x))</c> of a trained <see cref="TranslatorTrainer"/>,
/// frozen, run without gradients.
/// </summary>
/// <remarks>
/// Inputs and outputs are in the segmentation model's normalised space (the decoder ends in tanh, so outputs lie in
/// [−1, 1]). Image height and width must be multiples of 4. The translator owns its networks: dispose it. Calls are
/// not synchronised; use one instance per thread or serialise calls.
/// </remarks>
public sealed class LearnedTranslator : IDomainTranslator
{
    /// <summary>The file name of the source encoder weights inside a translator directory.</summary>
    public const string EncoderFileName = "enc_s.pth";

    /// <summary>The file name of the source-to-target decoder weights inside a translator directory.</summary>
    public const string DecoderFileName = "dec_s2t.pth";

    private readonly ImageEncoder _encoder;
    private readonly ImageDecoder _decoder;
    private readonly Device _device;

    private LearnedTranslator(ImageEncoder encoder, ImageDecoder decoder, Device device)
    {
        _encoder = encoder;
        _decoder = decoder;
        _device = device;
        foreach (var parameter in _encoder.parameters().Concat(_decoder.parameters()))
        {
            parameter.requires_grad = false;
        }

        _encoder.eval();
        _decoder.eval();
    }

    /// <summary>Loads a translator saved by <see cref="TranslatorTrainer.SaveTranslator"/> (PyTorch state dicts <see cref="EncoderFileName"/> and <see cref="DecoderFileName"/>).</summary>
    /// <remarks>
    /// The DiGA authors' stage 0 writes the same two files with the same keys into its weight folder, so that folder
    /// loads here as it is; <see cref="LoadFiles"/> takes files with other names or a key prefix.
    /// </remarks>
    /// <param name="directory">The directory holding both files.</param>
    /// <param name="options">The options; defaults when null.</param>
    /// <returns>A new translator owned by the caller.</returns>
    /// <exception cref="FileNotFoundException">A weights file is missing.</exception>
    /// <exception cref="InvalidDataException">A weights file does not match the network structure.</exception>
    public static LearnedTranslator Load(string directory, LearnedTranslatorOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        return LoadFiles(Path.Combine(directory, EncoderFileName), Path.Combine(directory, DecoderFileName), options);
    }

    /// <summary>
    /// Loads a translator from its two state-dictionary files: the source encoder (<c>enc_s.pth</c> in the DiGA authors'
    /// stage 0 and in <see cref="TranslatorTrainer.SaveTranslator"/>) and the source-to-target decoder (<c>dec_s2t.pth</c>).
    /// </summary>
    /// <param name="encoderPath">The <c>.pth</c>, <c>.pt</c> or <c>.safetensors</c> file of the encoder.</param>
    /// <param name="decoderPath">The file of the decoder.</param>
    /// <param name="options">The options; defaults when null.</param>
    /// <param name="importOptions">The key mapping applied to both files; <see langword="null"/> means
    /// <see cref="WeightImportOptions.ForDiGAReferenceTranslator"/> (strict, identical keys). A non-strict mapping leaves
    /// unmatched tensors at their initialisation.</param>
    /// <returns>A new translator owned by the caller.</returns>
    /// <exception cref="FileNotFoundException">A weights file is missing.</exception>
    /// <exception cref="InvalidDataException">A weights file is unreadable or does not match the network structure; a
    /// strict mismatch carries the <see cref="WeightImportException"/> (with its report) as the inner exception.</exception>
    public static LearnedTranslator LoadFiles(string encoderPath, string decoderPath, LearnedTranslatorOptions? options = null, WeightImportOptions? importOptions = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(encoderPath);
        ArgumentException.ThrowIfNullOrWhiteSpace(decoderPath);
        options ??= new LearnedTranslatorOptions();
        importOptions ??= WeightImportOptions.ForDiGAReferenceTranslator();
        var device = TorchDevices.Resolve(options.Device);
        var encoder = new ImageEncoder(options.Width);
        var decoder = new ImageDecoder(options.Width);
        try
        {
            LoadWeights(encoder, encoderPath, importOptions);
            LoadWeights(decoder, decoderPath, importOptions);
            encoder.to(device);
            decoder.to(device);
            return new LearnedTranslator(encoder, decoder, device);
        }
        catch
        {
            encoder.Dispose();
            decoder.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The images are not <c>[N, 3, H, W]</c> float with H and W multiples of 4.</exception>
    /// <remarks>The output lies on the device of the input; the computation runs on the translator's device.</remarks>
    public Tensor Translate(in TranslationArguments arguments)
    {
        var images = arguments.SourceImages;
        Guard.Images(images, nameof(arguments));
        if (images.shape[2] % 4 != 0 || images.shape[3] % 4 != 0)
        {
            throw new ArgumentException($"Image height and width must be multiples of 4, got {images.shape[2]}×{images.shape[3]}.", nameof(arguments));
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = images.to(ScalarType.Float32).to(_device);
        return _decoder.forward(_encoder.forward(x)).to(images.device).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _encoder.Dispose();
        _decoder.Dispose();
    }

    /// <summary>Writes the state dicts of an encoder and a decoder into <paramref name="directory"/>, each file atomically.</summary>
    internal static void SaveWeights(nn.Module encoder, nn.Module decoder, string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        AtomicFile.Write(Path.Combine(directory, EncoderFileName), stream => encoder.save_py(stream, leaveOpen: true));
        AtomicFile.Write(Path.Combine(directory, DecoderFileName), stream => decoder.save_py(stream, leaveOpen: true));
    }

    private static void LoadWeights(nn.Module module, string path, WeightImportOptions importOptions)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Translator weights file '{path}' does not exist.", path);
        }

        try
        {
            WeightImporter.Load(module, path, importOptions);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException and (not IOException or EndOfStreamException))
        {
            throw new InvalidDataException($"'{path}' does not hold the weights of a translator {module.GetName()}: {exception.Message}", exception);
        }
    }
}
