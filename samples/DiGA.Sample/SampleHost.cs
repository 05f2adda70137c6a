using System.CommandLine;
using DiGA.Core.Data;
using DiGA.Core.Hosting;
using DiGA.Core.Training;
using DiGA.Sample.Commands;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace DiGA.Sample;

/// <summary>
/// Runs a command in a host configured from <c>appsettings.json</c>, then the <c>--Section:Key value</c> overrides, then
/// the command's options.
/// </summary>
/// <param name="overrides">The <c>--Section:Key value</c> tokens of the command line.</param>
public sealed class SampleHost(IReadOnlyList<string> overrides)
{
    /// <summary>Makes <paramref name="run"/> on a <typeparamref name="TCommand"/> from the host the action of <paramref name="command"/>.</summary>
    public Command Runs<TCommand>(Command command, Func<TCommand, CancellationToken, Task<int>> run)
        where TCommand : class
    {
        ArgumentNullException.ThrowIfNull(command);
        command.SetAction((parse, _) => RunAsync(parse, run));
        return command;
    }

    private async Task<int> RunAsync<TCommand>(ParseResult parse, Func<TCommand, CancellationToken, Task<int>> run)
        where TCommand : class
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddCommandLine([.. overrides]);
        builder.Configuration.AddInMemoryCollection(SampleOptions.Configuration(parse));
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Services.AddDiGA(builder.Configuration.GetSection(DiGAOptions.SectionName));
        builder.Services.AddOptions<SampleSettings>().Bind(builder.Configuration.GetSection("Sample"));
        builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<SampleSettings>>().Value);
        builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<DiGAOptions>>().Value);
        builder.Services.AddTransient<TCommand>();

        using var host = builder.Build();
        using var cancellation = new CancellationTokenSource();
        void Cancel(object? sender, ConsoleCancelEventArgs e)
        {
            e.Cancel = true;
            AnsiConsole.MarkupLine("[yellow]Cancelling: writing a checkpoint first…[/]");
            cancellation.Cancel();
        }

        Console.CancelKeyPress += Cancel;
        try
        {
            host.Services.GetRequiredService<IStartupValidator>().Validate();
            return await run(host.Services.GetRequiredService<TCommand>(), cancellation.Token);
        }
        catch (OptionsValidationException exception)
        {
            AnsiConsole.MarkupLine($"[red]Invalid configuration:[/] {Markup.Escape(exception.Message)}");
            return 2;
        }
        catch (OperationCanceledException)
        {
            AnsiConsole.MarkupLine("[yellow]Cancelled. Run the same command again to resume from the last checkpoint.[/]");
            return 130;
        }
        catch (Exception exception) when (exception is ArgumentException or FileNotFoundException or DirectoryNotFoundException or InvalidDataException or DatasetFileException or NonFiniteLossException)
        {
            AnsiConsole.MarkupLine($"[red]Error:[/] {Markup.Escape(exception.Message)}");
            return 1;
        }
        finally
        {
            Console.CancelKeyPress -= Cancel;
        }
    }
}
