using BenchmarkDotNet.Running;
using DiGA.Core.Benchmarks;

var rest = BenchmarkSettings.Parse(args);
BenchmarkSettings.ApplyThreads();

switch (rest.FirstOrDefault())
{
    case "leak":
        return LeakCheck.Run(rest.Skip(1).ToArray());
    case "list-ops":
        return BenchmarkCatalog.Print();
    case "write-synthetic":
        return SyntheticData.Write(rest.Skip(1).ToArray());
    default:
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(BenchmarkSettings).Assembly).Run(rest);
        if (BenchmarkSettings.RssOutput is { } path)
        {
            File.WriteAllText(path, ProcessMemory.PeakRssMiB.ToString("F1", System.Globalization.CultureInfo.InvariantCulture));
        }

        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
}
