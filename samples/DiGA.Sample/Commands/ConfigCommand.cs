using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using DiGA.Core.Hosting;

namespace DiGA.Sample.Commands;

/// <summary>Prints the DiGA configuration a command line resolves to (preset, <c>appsettings.json</c>, overrides), as a <c>DiGA</c> section for <c>appsettings.json</c>.</summary>
public sealed class ConfigCommand(DiGAOptions options)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Converters = { new JsonStringEnumConverter() } };

    /// <summary>Creates the <c>config</c> command.</summary>
    public static Command Create(SampleHost host) => host.Runs<ConfigCommand>(
        new Command("config", "Print the DiGA configuration that the preset, appsettings.json and the overrides resolve to, as JSON for appsettings.json.")
        {
            SampleOptions.Preset(),
            SampleOptions.Device(),
            SampleOptions.Seed(),
        },
        (command, cancellationToken) => command.WriteAsync(Console.Out, cancellationToken));

    /// <summary>Writes the resolved options as <c>{ "DiGA": { … } }</c>.</summary>
    public async Task<int> WriteAsync(TextWriter writer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var json = JsonSerializer.Serialize(new Dictionary<string, DiGAOptions> { [DiGAOptions.SectionName] = options }, Json);
        await writer.WriteLineAsync(json.AsMemory(), cancellationToken);
        return 0;
    }
}
