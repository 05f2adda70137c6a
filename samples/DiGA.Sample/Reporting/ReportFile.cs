using System.Text;

namespace DiGA.Sample.Reporting;

/// <summary>
/// Writes report files such as <c>metrics.json</c> the way DiGA.Core writes its checkpoints: into a temporary sibling,
/// flushed to the disk, then renamed over the target, so that a run killed while writing leaves the previous report or the
/// new one, never a truncated file.
/// </summary>
public static class ReportFile
{
    /// <summary>Writes <paramref name="text"/> as UTF-8 (without a byte order mark) to <paramref name="path"/>, atomically.</summary>
    public static void WriteAllText(string path, string text)
    {
        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text));
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }
}
