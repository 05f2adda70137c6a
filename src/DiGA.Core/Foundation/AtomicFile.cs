using System.Runtime.InteropServices;
using System.Text;

namespace DiGA.Core.Foundation;

/// <summary>Writes files through a temporary sibling and a rename, so readers never see a half-written file.</summary>
/// <remarks>
/// <para>
/// A write creates <c>&lt;target&gt;.&lt;32 hex digits&gt;.tmp</c> next to the target, holds it open without sharing while
/// it is written, flushes it to the disk, renames it over the target and then, on Unix, flushes the directory so that the
/// rename itself is durable (best effort; skipped on Windows). Until the rename the target keeps its previous complete
/// content, and afterwards it has the new one: a process killed at any moment leaves one of the two, never a mix.
/// </para>
/// <para>
/// Leftovers: a killed writer leaves its temporary sibling behind. Readers open targets by name only, so they never see
/// one. The next write of the same target deletes every leftover sibling of that target before it starts, except one a
/// live writer still holds open (an exclusive open of it fails; on Unix .NET takes an exclusive <c>flock</c> for an open
/// without sharing, which the kernel releases when its process dies, unless <c>DOTNET_SYSTEM_IO_DISABLEFILELOCKING</c> is
/// set). A target therefore has at most one temporary sibling per writer in flight, plus at most one leftover between a
/// crash and its next write.
/// </para>
/// </remarks>
internal static class AtomicFile
{
    /// <summary>The extension of temporary siblings.</summary>
    public const string TemporaryExtension = ".tmp";

    /// <summary>Writes <paramref name="path"/> with <paramref name="write"/>; the target is replaced only once the write succeeded.</summary>
    /// <param name="path">The target file.</param>
    /// <param name="write">Writes the content.</param>
    /// <param name="durability">Whether the write is flushed to the disk (checkpoints, weights) or only atomic (bulk outputs).</param>
    public static void Write(string path, Action<Stream> write, WriteDurability durability = WriteDurability.Durable)
    {
        ArgumentNullException.ThrowIfNull(write);
        using var file = Begin(path, durability);
        write(file.Stream);
        file.Commit();
    }

    /// <summary>
    /// Starts a write of <paramref name="path"/> (its directory is created when missing): write <see cref="AtomicWrite.Stream"/>,
    /// then call <see cref="AtomicWrite.Commit"/>; disposing without committing deletes the temporary file and leaves the target untouched.
    /// </summary>
    public static AtomicWrite Begin(string path, WriteDurability durability = WriteDurability.Durable)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var fullPath = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(fullPath);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
            if (durability == WriteDurability.Durable)
            {
                DeleteLeftovers(directory, Path.GetFileName(fullPath));
            }
        }

        var temporary = fullPath + "." + Guid.NewGuid().ToString("N") + TemporaryExtension;
        return new AtomicWrite(fullPath, temporary, new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None), durability);
    }

    /// <summary>Deletes the temporary siblings killed writers left in <paramref name="directory"/> (bulk outputs call this once per folder).</summary>
    /// <param name="directory">The folder.</param>
    public static void DeleteLeftovers(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return;
        }

        foreach (var candidate in Directory.EnumerateFiles(directory, "*" + TemporaryExtension))
        {
            var name = Path.GetFileName(candidate);
            var target = name.Length > 33 + TemporaryExtension.Length ? name[..^(33 + TemporaryExtension.Length)] : null;
            if (target is not null && IsTemporaryOf(name, target))
            {
                TryDeleteUnlocked(candidate);
            }
        }
    }

    /// <summary>Whether <paramref name="fileName"/> is a temporary sibling of <paramref name="targetFileName"/> (both without directory).</summary>
    public static bool IsTemporaryOf(string fileName, string targetFileName) =>
        fileName.Length == targetFileName.Length + 1 + 32 + TemporaryExtension.Length
        && fileName.StartsWith(targetFileName, StringComparison.Ordinal)
        && fileName[targetFileName.Length] == '.'
        && fileName.EndsWith(TemporaryExtension, StringComparison.Ordinal)
        && Guid.TryParseExact(fileName.AsSpan(targetFileName.Length + 1, 32), "N", out _);

    /// <summary>
    /// Makes a rename inside <paramref name="directory"/> durable: on Unix the directory is opened and <c>fsync</c>ed, so its
    /// new entry survives a power loss. Best effort: returns <see langword="false"/> on Windows, where it is not done, and
    /// when the C library or the directory cannot be opened.
    /// </summary>
    public static bool FlushDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return false;
        }

        try
        {
            var descriptor = Libc.Open(Encoding.UTF8.GetBytes(directory + '\0'), Libc.ReadOnlyCloseOnExec);
            if (descriptor < 0)
            {
                return false;
            }

            var flushed = Libc.FileSync(descriptor) == 0;
            _ = Libc.Close(descriptor);
            return flushed;
        }
        catch (DllNotFoundException)
        {
            return false;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
    }

    private static void DeleteLeftovers(string directory, string targetFileName)
    {
        foreach (var candidate in Directory.EnumerateFiles(directory))
        {
            if (!IsTemporaryOf(Path.GetFileName(candidate), targetFileName))
            {
                continue;
            }

            TryDeleteUnlocked(candidate);
        }
    }

    private static void TryDeleteUnlocked(string candidate)
    {
        try
        {
            // Succeeds only when no live writer holds the file open; deleted on close.
            using var leftover = new FileStream(candidate, FileMode.Open, FileAccess.Read, FileShare.None, bufferSize: 1, FileOptions.DeleteOnClose);
        }
        catch (IOException)
        {
            // In flight in another writer, or already gone.
        }
        catch (UnauthorizedAccessException)
        {
            // Not ours to delete; readers ignore it anyway.
        }
    }

    /// <summary>An open temporary sibling of a target.</summary>
    internal sealed class AtomicWrite : IDisposable
    {
        private readonly string _path;
        private readonly string _temporary;
        private readonly FileStream _stream;
        private readonly WriteDurability _durability;
        private bool _committed;

        internal AtomicWrite(string path, string temporary, FileStream stream, WriteDurability durability)
        {
            _path = path;
            _temporary = temporary;
            _stream = stream;
            _durability = durability;
        }

        /// <summary>Gets the stream of the temporary file.</summary>
        public Stream Stream => _stream;

        /// <summary>Renames the temporary file over the target; a durable write flushes the file to the disk first and the directory after.</summary>
        public void Commit()
        {
            ObjectDisposedException.ThrowIf(_committed, this);
            _stream.Flush(flushToDisk: _durability == WriteDurability.Durable);
            if (OperatingSystem.IsWindows())
            {
                // Windows cannot rename a file this process holds open without sharing.
                _stream.Dispose();
                File.Move(_temporary, _path, overwrite: true);
            }
            else
            {
                // Renamed while still locked, so another writer's clean-up cannot take it for a leftover in between.
                File.Move(_temporary, _path, overwrite: true);
                _stream.Dispose();
            }

            _committed = true;
            var directory = Path.GetDirectoryName(_path);
            if (_durability == WriteDurability.Durable && !string.IsNullOrEmpty(directory))
            {
                FlushDirectory(directory);
            }
        }

        /// <summary>Deletes the temporary file unless the write was committed.</summary>
        public void Dispose()
        {
            if (_committed)
            {
                return;
            }

            _stream.Dispose();
            if (File.Exists(_temporary))
            {
                File.Delete(_temporary);
            }
        }
    }

    // open(2) without O_CREAT reads no variadic argument, so a fixed two-argument signature is safe.
    private static class Libc
    {
        public static readonly int ReadOnlyCloseOnExec = OperatingSystem.IsMacOS() || OperatingSystem.IsIOS() ? 0x1000000 : OperatingSystem.IsLinux() ? 0x80000 : 0;

        [DllImport("libc", EntryPoint = "open", ExactSpelling = true)]
        public static extern int Open(byte[] nullTerminatedPath, int flags);

        [DllImport("libc", EntryPoint = "fsync", ExactSpelling = true)]
        public static extern int FileSync(int descriptor);

        [DllImport("libc", EntryPoint = "close", ExactSpelling = true)]
        public static extern int Close(int descriptor);
    }
}

/// <summary>How far an <see cref="AtomicFile"/> write goes beyond atomicity.</summary>
internal enum WriteDurability
{
    /// <summary>Flushed to the disk with its directory entry, and leftovers of killed writers of the same target removed: checkpoints, weights, markers.</summary>
    Durable,

    /// <summary>Atomic against a killed process only (no flush): bulk, regenerable outputs such as pseudo-labels and prediction images.</summary>
    AtomicOnly,
}
