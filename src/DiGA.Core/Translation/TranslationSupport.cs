using DiGA.Core.Models.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Core.Translation;

/// <summary>The random target-style draw and the bank-file reader the translators share.</summary>
internal static class TranslationSupport
{
    /// <summary>Draws one index in <c>[0, count)</c> per source image, on <paramref name="device"/>.</summary>
    /// <returns>A fresh int64 tensor <c>[batch]</c>.</returns>
    public static Tensor DrawIndices(long count, long batch, Device device, Generator? generator, string parameterName)
    {
        if (generator is null)
        {
            throw new ArgumentException(
                $"{nameof(TranslationArguments.Generator)} is required when the target style is drawn at random ({nameof(TargetStyleSelection)}.{nameof(TargetStyleSelection.RandomTargetImage)}).",
                parameterName);
        }

        return randint(count, [batch], dtype: ScalarType.Int64, device: device, generator: generator);
    }

    /// <summary>Reads a safetensors state dictionary; its tensors join the caller's dispose scope.</summary>
    /// <remarks>The header is checked before any tensor is allocated (see <see cref="SafetensorsFile.Read"/>), so a corrupt file cannot ask for more memory than its size.</remarks>
    /// <param name="path">The file.</param>
    /// <param name="name">What the file is, for the missing-file message (for example "Colour statistics file").</param>
    /// <param name="description">What the file should be, for the invalid-file message (for example "a colour statistics file").</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a safetensors file.</exception>
    public static Dictionary<string, Tensor> ReadStateDict(string path, string name, string description)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{name} '{path}' does not exist.", path);
        }

        try
        {
            return SafetensorsFile.Read(path).Tensors;
        }
        catch (InvalidDataException exception)
        {
            throw new InvalidDataException($"'{path}' is not {description}: {exception.Message}", exception);
        }
    }
}
