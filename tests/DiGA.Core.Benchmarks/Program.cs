using BenchmarkDotNet.Running;
using DiGA.Core.Benchmarks;

var rest = BenchmarkSettings.Parse(args);
BenchmarkSettings.ApplyThreads();

switch (rest.FirstOrDefault())
{
    case "leak-disabled-for-now":
        return 0;
    case "write-synthetic":
        return 0;
    default:
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(BenchmarkSettings).Assembly).Run(rest);
        if (BenchmarkSettings.RssOutput is { } path)
        {
            File.WriteAllText(path, ProcessMemory.PeakRssMiB.ToString("F1", System.Globalization.CultureInfo.InvariantCulture));
        }

        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
}
