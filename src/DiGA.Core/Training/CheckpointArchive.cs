using System.IO.Compression;
using DiGA.Core.IO;

namespace DiGA.Core.Training;

/// <summary>Reads and atomically writes checkpoint files: zip archives of named binary entries.</summary>
internal static class CheckpointArchive
{
    /// <summary>Writes the entries atomically: a temporary file next to <paramref name="path"/>, then a rename over the target.</summary>
    public static void Write(string path, IEnumerable<KeyValuePair<string, Action<Stream>>> entries) =>
        AtomicFile.Write(path, file =>
        {
            using var archive = new ZipArchive(file, ZipArchiveMode.Create, leaveOpen: true);
            foreach (var (name, write) in entries)
            {
                using var entry = archive.CreateEntry(name, CompressionLevel.NoCompression).Open();
                write(entry);
            }
        });

    /// <summary>Reads every entry into memory.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a checkpoint archive.</exception>
    public static Dictionary<string, byte[]> Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Checkpoint '{path}' does not exist.", path);
        }

        try
        {
            using var archive = ZipFile.OpenRead(path);
            var result = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            foreach (var entry in archive.Entries)
            {
                using var source = entry.Open();
                using var buffer = new MemoryStream();
                source.CopyTo(buffer);
                result[entry.FullName] = buffer.ToArray();
            }

            return result;
        }
        catch (InvalidDataException exception)
        {
            throw new InvalidDataException($"Checkpoint '{path}' is corrupt or not a DiGA.Core checkpoint: {exception.Message}", exception);
        }
    }

    /// <summary>Gets an entry or throws an error naming the file and the entry.</summary>
    public static byte[] Require(this Dictionary<string, byte[]> entries, string path, string name) =>
        entries.TryGetValue(name, out var bytes)
            ? bytes
            : throw new InvalidDataException($"Checkpoint '{path}' has no '{name}' entry.");
}
