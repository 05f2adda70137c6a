namespace DiGA.Core.Benchmarks;

/// <summary>Reads the resident-set size of this process (Linux <c>/proc/self/status</c>, else the working set).</summary>
internal static class ProcessMemory
{
    /// <summary>Gets the current resident-set size in MiB.</summary>
    public static double CurrentRssMiB => Read("VmRSS:") ?? Environment.WorkingSet / 1048576.0;

    /// <summary>Gets the peak resident-set size in MiB.</summary>
    public static double PeakRssMiB
    {
        get
        {
            var peak = Read("VmHWM:");
            if (peak is not null)
            {
                return peak.Value;
            }

            using var process = System.Diagnostics.Process.GetCurrentProcess();
            return process.PeakWorkingSet64 / 1048576.0;
        }
    }

    private static double? Read(string key)
    {
        const string Status = "/proc/self/status";
        if (!File.Exists(Status))
        {
            return null;
        }

        foreach (var line in File.ReadLines(Status))
        {
            if (line.StartsWith(key, StringComparison.Ordinal))
            {
                var kib = long.Parse(line[key.Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
                return kib / 1024.0;
            }
        }

        return null;
    }
}
