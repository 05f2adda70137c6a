using System.Collections.Concurrent;
using System.Globalization;
using DiGA.Core.Training;
using Spectre.Console;

namespace DiGA.Sample.Reporting;

/// <summary>Shows training progress: a Spectre.Console progress bar with ETA and current losses on a terminal, plain lines otherwise.</summary>
public static class ConsoleProgress
{
    /// <summary>Runs <paramref name="work"/> with an <see cref="IProgress{T}"/> that draws one bar per stage.</summary>
    public static async Task<T> RunAsync<T>(Func<IProgress<TrainingProgress>, Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (!AnsiConsole.Profile.Capabilities.Interactive || Console.IsOutputRedirected)
        {
            return await work(new LineProgress());
        }

        T result = default!;
        await AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context => result = await work(new BarProgress(context)));
        return result;
    }

    private static string Describe(TrainingProgress value)
    {
        var losses = string.Join(" ", value.Losses.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value:0.000}")));
        var miou = value.ValidationMeanIoU is { } m ? string.Create(CultureInfo.InvariantCulture, $" mIoU {m:0.0}") : string.Empty;
        return $"{value.Stage,-28} {losses}{miou}";
    }

    private sealed class BarProgress(ProgressContext context) : IProgress<TrainingProgress>
    {
        private readonly ConcurrentDictionary<string, ProgressTask> _tasks = new(StringComparer.Ordinal);

        public void Report(TrainingProgress value)
        {
            var task = _tasks.GetOrAdd(value.Stage, stage => context.AddTask(stage, maxValue: value.MaxIterations));
            task.MaxValue = value.MaxIterations;
            task.Value = value.Iteration;
            task.Description = Markup.Escape(Describe(value));
        }
    }

    private sealed class LineProgress : IProgress<TrainingProgress>
    {
        private readonly ConcurrentDictionary<string, int> _lastPercent = new(StringComparer.Ordinal);

        public void Report(TrainingProgress value)
        {
            var percent = 100 * value.Iteration / value.MaxIterations;
            var step = _lastPercent.GetOrAdd(value.Stage, -100);
            if (percent - step < 10 && value.Iteration != value.MaxIterations)
            {
                return;
            }

            _lastPercent[value.Stage] = percent;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {Describe(value)}  {value.Iteration}/{value.MaxIterations}  ETA {value.Remaining:mm\\:ss}"));
        }
    }
}
