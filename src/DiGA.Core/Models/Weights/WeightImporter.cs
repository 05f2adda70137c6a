using System.Collections;
using System.Text.RegularExpressions;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace DiGA.Core.Models.Weights;

/// <summary>
/// Loads PyTorch state dictionaries into models: <c>.pth</c>/<c>.pt</c> files written by <c>torch.save(state_dict)</c>
/// (the zip format of PyTorch ≥ 1.6) and <c>.safetensors</c> files. Parameters and buffers (BatchNorm running statistics) are both loaded.
/// </summary>
/// <remarks>
/// Values are copied into the model's existing tensors under <c>no_grad</c>, converted to the model's dtype and device.
/// The file's tensors are disposed before returning. Legacy (pre-1.6, non-zip) PyTorch files must be re-saved with a current <c>torch.save</c>.
/// </remarks>
public static class WeightImporter
{
    /// <summary>Loads a state dictionary into the module of <paramref name="model"/>.</summary>
    /// <param name="model">The model to fill.</param>
    /// <param name="path">The <c>.pth</c>, <c>.pt</c> or <c>.safetensors</c> file.</param>
    /// <param name="options">Strictness and key mapping; <see langword="null"/> means strict with identical keys.</param>
    /// <returns>What was loaded and what did not match.</returns>
    /// <exception cref="WeightImportException">Strict mode and some key is missing, unexpected or of another shape; the model is unchanged.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is neither a zip-format PyTorch state dictionary nor safetensors.</exception>
    public static WeightImportReport Load(ISegmentationModel model, string path, WeightImportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Load(model.Module, path, options);
    }

    /// <summary>Loads a state dictionary into <paramref name="module"/>.</summary>
    /// <param name="module">The module to fill.</param>
    /// <param name="path">The <c>.pth</c>, <c>.pt</c> or <c>.safetensors</c> file.</param>
    /// <param name="options">Strictness and key mapping; <see langword="null"/> means strict with identical keys.</param>
    /// <returns>What was loaded and what did not match.</returns>
    /// <exception cref="WeightImportException">Strict mode and some key is missing, unexpected or of another shape; the module is unchanged.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is neither a zip-format PyTorch state dictionary nor safetensors.</exception>
    public static WeightImportReport Load(nn.Module module, string path, WeightImportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var source = ReadStateDict(path);
        try
        {
            return Apply(module, source, path, options ?? new WeightImportOptions());
        }
        finally
        {
            foreach (var tensor in source.Values)
            {
                tensor.Dispose();
            }
        }
    }

    /// <summary>Reads every tensor of a state-dictionary file onto the CPU.</summary>
    /// <param name="path">The <c>.pth</c>, <c>.pt</c> or <c>.safetensors</c> file (detected from its first bytes).</param>
    /// <returns>The tensors by key, owned (and to be disposed) by the caller.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The format is not recognised.</exception>
    public static Dictionary<string, Tensor> ReadStateDict(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Weight file '{path}' does not exist.", path);
        }

        if (IsZip(path))
        {
            Hashtable table;
            try
            {
                table = PyTorchUnpickler.UnpickleStateDict(path);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                throw new InvalidDataException($"'{path}' could not be read as a PyTorch state dictionary (save it with torch.save(model.state_dict(), path)): {ex.Message}", ex);
            }

            var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            try
            {
                foreach (DictionaryEntry entry in table)
                {
                    if (entry.Value is not Tensor tensor)
                    {
                        throw new InvalidDataException($"'{path}': entry '{entry.Key}' is not a tensor; save a state dictionary (torch.save(model.state_dict(), path)), not a whole model or a training checkpoint.");
                    }

                    if (entry.Key is not string key)
                    {
                        throw new InvalidDataException($"'{path}': a key of type {entry.Key.GetType().Name} is not a parameter name; save a state dictionary (torch.save(model.state_dict(), path)).");
                    }

                    result[key] = tensor;
                }
            }
            catch (InvalidDataException)
            {
                foreach (var value in table.Values)
                {
                    (value as Tensor)?.Dispose();
                }

                throw;
            }

            return result;
        }

        if (path.EndsWith(".pth", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".pt", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException($"'{path}' is not a zip-format PyTorch file; legacy files must be re-saved with torch.save from PyTorch 1.6 or later.");
        }

        return SafetensorsFile.Read(path).Tensors;
    }

    internal static WeightImportReport Apply(nn.Module module, IReadOnlyDictionary<string, Tensor> source, string path, WeightImportOptions options)
    {
        using var scope = NewDisposeScope();
        var target = module.state_dict();
        var mapped = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var skipped = new List<string>();
        foreach (var (fileKey, tensor) in source)
        {
            var key = fileKey;
            if (options.StripFirstKeyComponent)
            {
                var dot = key.IndexOf('.', StringComparison.Ordinal);
                key = dot < 0 ? key : key[(dot + 1)..];
            }

            if (options.SourcePrefix is { Length: > 0 } prefix)
            {
                if (!key.StartsWith(prefix, StringComparison.Ordinal))
                {
                    skipped.Add(fileKey);
                    continue;
                }

                key = key[prefix.Length..];
            }

            if (options.SkipSourcePrefixes.Any(p => key.StartsWith(p, StringComparison.Ordinal)))
            {
                skipped.Add(fileKey);
                continue;
            }

            foreach (var rename in options.Renames)
            {
                key = Regex.Replace(key, rename.Pattern, rename.Replacement, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            }

            mapped[options.TargetPrefix + key] = tensor;
        }

        foreach (var concatenation in options.Concatenations)
        {
            Concatenate(mapped, concatenation);
        }

        var loaded = new List<string>();
        var missing = new List<string>();
        var mismatches = new List<WeightShapeMismatch>();
        foreach (var (key, tensor) in target)
        {
            if (!mapped.TryGetValue(key, out var value))
            {
                var ignored = options.IgnoreMissingPrefixes.Any(p => key.StartsWith(p, StringComparison.Ordinal))
                    || (options.AllowMissingBatchCounters && key.EndsWith(".num_batches_tracked", StringComparison.Ordinal));
                if (!ignored)
                {
                    missing.Add(key);
                }

                continue;
            }

            if (!tensor.shape.SequenceEqual(value.shape))
            {
                mismatches.Add(new WeightShapeMismatch(key, tensor.shape, value.shape));
                continue;
            }

            loaded.Add(key);
        }

        var unexpected = mapped.Keys.Where(k => !target.ContainsKey(k)).ToList();
        var report = new WeightImportReport(loaded, missing, unexpected, mismatches, skipped);
        if (options.Strict && !report.IsComplete)
        {
            throw new WeightImportException(path, report);
        }

        using (no_grad())
        {
            foreach (var key in loaded)
            {
                target[key].copy_(mapped[key]);
            }
        }

        return report;
    }

    /// <summary>Replaces each complete set of split tensors in <paramref name="mapped"/> by their concatenation along dimension 0 (a tensor of the current dispose scope).</summary>
    private static void Concatenate(Dictionary<string, Tensor> mapped, WeightKeyConcatenation concatenation)
    {
        if (concatenation.Sources.Count == 0)
        {
            return;
        }

        var first = concatenation.Sources[0];
        foreach (var key in mapped.Keys.Where(k => k.Contains(first, StringComparison.Ordinal)).ToList())
        {
            var index = key.IndexOf(first, StringComparison.Ordinal);
            string KeyWith(string fragment) => string.Concat(key.AsSpan(0, index), fragment, key.AsSpan(index + first.Length));
            var parts = concatenation.Sources.Select(KeyWith).ToList();
            if (!parts.All(mapped.ContainsKey))
            {
                continue;
            }

            var joined = cat([.. parts.Select(p => mapped[p])], 0);
            foreach (var part in parts)
            {
                mapped.Remove(part);
            }

            mapped[KeyWith(concatenation.Target)] = joined;
        }
    }

    private static bool IsZip(string path)
    {
        using var stream = File.OpenRead(path);
        Span<byte> magic = stackalloc byte[4];
        return stream.Read(magic) == 4 && magic[0] == (byte)'P' && magic[1] == (byte)'K' && magic[2] == 3 && magic[3] == 4;
    }
}
