using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace DiGA.Core.IntegrationTests;

/// <summary>
/// Runs tests/DiGA.Core.ChildProcess as <c>dotnet &lt;its dll&gt; &lt;arguments&gt;</c> and collects its standard output
/// line by line and its standard error. The build records the dll's location (see the project file).
/// </summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly StringBuilder _error = new();
    private bool _outputEnded;

    private ChildProcess(Process process)
    {
        _process = process;
    }

    /// <summary>Gets the full path of DiGA.Core.ChildProcess.dll.</summary>
    public static string AssemblyPath { get; } = FindAssembly();

    /// <summary>Gets the standard output lines received so far.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    /// <summary>Gets the standard error received so far.</summary>
    public string StandardError
    {
        get
        {
            lock (_error)
            {
                return _error.ToString();
            }
        }
    }

    /// <summary>Starts the child process with the given command line.</summary>
    public static ChildProcess Start(params string[] arguments)
    {
        // `dotnet test` tells its children which host runs it; a plain "dotnet" from the PATH otherwise.
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(AssemblyPath);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start };
        var child = new ChildProcess(process);
        process.OutputDataReceived += (_, e) => child.Receive(e.Data);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (child._error)
                {
                    child._error.AppendLine(e.Data);
                }
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Waits for the first output line that starts with <paramref name="prefix"/>.</summary>
    /// <exception cref="TimeoutException">No such line arrived in time, or the process ended without one.</exception>
    public string WaitForLine(string prefix, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        lock (_lines)
        {
            while (true)
            {
                if (_lines.Find(l => l.StartsWith(prefix, StringComparison.Ordinal)) is { } line)
                {
                    return line;
                }

                var left = deadline - DateTime.UtcNow;
                if (_outputEnded || left <= TimeSpan.Zero || !Monitor.Wait(_lines, left))
                {
                    throw new TimeoutException($"The child process printed no line starting with '{prefix}' ({(_outputEnded ? "its output ended" : $"waited {timeout}")}). Output: {string.Join(" | ", _lines)}. Errors: {StandardError}");
                }
            }
        }
    }

    /// <summary>Kills the process (SIGKILL on Unix) and waits until it has ended and its output is read to the end.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        WaitForExit(TimeSpan.FromSeconds(30));
    }

    /// <summary>Waits until the process has ended and its output is read to the end.</summary>
    /// <returns>The exit code.</returns>
    /// <exception cref="TimeoutException">The process is still running.</exception>
    public int WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            throw new TimeoutException($"The child process did not end within {timeout}.");
        }

        _process.WaitForExit();
        return _process.ExitCode;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }
        }
        catch (InvalidOperationException)
        {
            // Never started.
        }

        _process.Dispose();
    }

    private static string FindAssembly()
    {
        var relative = typeof(ChildProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(a => a.Key == "DiGA.Core.ChildProcess")?.Value
            ?? throw new InvalidOperationException("The test assembly does not record where DiGA.Core.ChildProcess.dll is; build it through its project file.");
        var path = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, relative));
        return File.Exists(path) ? path : throw new FileNotFoundException($"DiGA.Core.ChildProcess.dll is not at '{path}'; build the integration test project.", path);
    }

    private void Receive(string? line)
    {
        lock (_lines)
        {
            if (line is null)
            {
                _outputEnded = true;
            }
            else
            {
                _lines.Add(line);
            }

            Monitor.PulseAll(_lines);
        }
    }
}
