using DiGA.Core.Data;
using DiGA.Core.Hosting;
using DiGA.Core.Training;
using DiGA.Sample;
using DiGA.Sample.Commands;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Spectre.Console;

var (command, rest) = CommandLine.Split(args);
if (Console.IsOutputRedirected)
{
    // Logs and CI capture: keep the per-class tables on one line per run.
    AnsiConsole.Profile.Width = 200;
}

if (command is "help" || rest.Any(a => a is "--help" or "-h" or "-?"))
{
    CommandLine.PrintHelp(command is "help" ? null : command);
    return 0;
}

if (!CommandLine.Commands.ContainsKey(command))
{
    AnsiConsole.MarkupLine($"[red]Unknown command '{Markup.Escape(command)}'.[/]");
    CommandLine.PrintHelp(null);
    return 2;
}

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ContentRootPath = AppContext.BaseDirectory });
builder.Configuration.AddCommandLine(rest, CommandLine.SwitchMappings);
builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
builder.Services.AddDiGA(builder.Configuration.GetSection(DiGAOptions.SectionName));
builder.Services.AddOptions<SampleSettings>().Bind(builder.Configuration.GetSection("Sample"));
builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<SampleSettings>>().Value);
builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<DiGAOptions>>().Value);
builder.Services.AddTransient<DemoCommand>();
builder.Services.AddTransient<TrainCommand>();
builder.Services.AddTransient<PseudoLabelCommand>();
builder.Services.AddTransient<EvaluateCommand>();
builder.Services.AddTransient<PredictCommand>();
builder.Services.AddTransient<SynthCommand>();

using var host = builder.Build();
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    AnsiConsole.MarkupLine("[yellow]Cancelling: writing a checkpoint first…[/]");
    cancellation.Cancel();
};

try
{
    host.Services.GetRequiredService<IStartupValidator>().Validate();
    return command switch
    {
        "demo" => await host.Services.GetRequiredService<DemoCommand>().RunAsync(cancellation.Token),
        "train" => await host.Services.GetRequiredService<TrainCommand>().RunAsync(cancellation.Token),
        "pseudo-label" => await host.Services.GetRequiredService<PseudoLabelCommand>().RunAsync(cancellation.Token),
        "evaluate" => await host.Services.GetRequiredService<EvaluateCommand>().RunAsync(cancellation.Token),
        "predict" => await host.Services.GetRequiredService<PredictCommand>().RunAsync(cancellation.Token),
        _ => await host.Services.GetRequiredService<SynthCommand>().RunAsync(cancellation.Token),
    };
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
