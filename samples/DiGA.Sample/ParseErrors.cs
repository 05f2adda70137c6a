using System.CommandLine;

namespace DiGA.Sample;

/// <summary>Writes the errors of a command line that does not parse, with the closest valid option or command of each unknown token.</summary>
public static class ParseErrors
{
    /// <summary>Writes the errors of <paramref name="parse"/> to <paramref name="error"/>.</summary>
    public static async Task WriteAsync(ParseResult parse, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(error);
        foreach (var message in parse.Errors.Select(e => e.Message).Distinct(StringComparer.Ordinal))
        {
            await error.WriteLineAsync(message);
        }

        var command = parse.CommandResult.Command;
        foreach (var token in parse.UnmatchedTokens)
        {
            if (Closest(token, token.StartsWith('-') ? command.Options.SelectMany(o => o.Aliases.Prepend(o.Name)) : command.Subcommands.Select(c => c.Name)) is { } suggestion)
            {
                await error.WriteLineAsync($"Did you mean '{suggestion}'?");
            }
        }

        await error.WriteLineAsync($"Run 'DiGA.Sample{(command is RootCommand ? "" : " " + command.Name)} --help' for the options.");
    }

    // The candidate at the smallest edit distance from the token, if at most half of the token's letters differ.
    private static string? Closest(string token, IEnumerable<string> candidates) => candidates
        .Select(c => (Name: c, Distance: Levenshtein(token, c)))
        .Where(c => c.Distance <= Math.Max(2, token.TrimStart('-').Length / 2))
        .OrderBy(c => c.Distance)
        .Select(c => c.Name)
        .FirstOrDefault();

    private static int Levenshtein(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }
}
