using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace DiGA.Core.IntegrationTests.Packaging;

/// <summary>
/// Packs DiGA.Core and DiGA.Core.Testing and consumes them from fresh console projects, as <c>dotnet add package</c>
/// users do: one app is the README's quick start pasted verbatim, the other checks a selector with the test kit.
/// </summary>
public partial class PackageConsumptionTests
{
    [Fact]
    public async Task ReadmeQuickStart_IsAtMostTenLinesWithNoCastOrNullForgiving()
    {
        var lines = CodeBlock(await File.ReadAllTextAsync(Path.Combine(FindRepositoryRoot(), "README.md")), "csharp")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);

        lines.Should().HaveCountLessThanOrEqualTo(10);
        lines.Should().NotContain(line => line.Contains('!'), "the quick start needs no null-forgiving operator");
        lines.Should().NotContain(line => Cast().IsMatch(line), "the quick start needs no cast");
    }

    [Fact]
    public async Task Pack_FreshConsoleApps_RunTheReadmeQuickStartAndTheSelectorTestKit()
    {
        var repository = FindRepositoryRoot();
        var work = Directory.CreateTempSubdirectory("diga-pack-");
        try
        {
            var feed = Directory.CreateDirectory(Path.Combine(work.FullName, "feed")).FullName;
            var version = "0.0.0-consume" + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture);
            foreach (var package in new[] { "DiGA.Core", "DiGA.Core.Testing" })
            {
                await RunAsync("dotnet", $"pack \"{Path.Combine(repository, "src", package, package + ".csproj")}\" -c Release -o \"{feed}\" -p:Version={version}", repository);
                File.Exists(Path.Combine(feed, $"{package}.{version}.nupkg")).Should().BeTrue();
                File.Exists(Path.Combine(feed, $"{package}.{version}.snupkg")).Should().BeTrue();
            }

            var readme = await File.ReadAllTextAsync(Path.Combine(repository, "README.md"));
            var quickStart = await CreateAppAsync(work, "QuickStart", feed, version, ["DiGA.Core", "Microsoft.Extensions.Hosting"], CodeBlock(readme, "csharp"));
            await File.WriteAllTextAsync(Path.Combine(quickStart, "appsettings.json"), CodeBlock(readme, "json"));
            var adapted = await RunAsync("dotnet", "run -c Release --no-build", quickStart, TinyRunEnvironment);
            adapted.Should().Contain("target validation").And.Contain("mIoU");

            var kit = await CreateAppAsync(work, "SelectorKit", feed, version, ["DiGA.Core", "DiGA.Core.Testing"], SelectorKitProgram);
            var checkedSelector = await RunAsync("dotnet", "run -c Release --no-build", kit);
            checkedSelector.Should().Contain("violations=0").And.Contain("agreement=1");
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    // The quick start reads its configuration from appsettings.json, the environment and the command line: the environment
    // shrinks the synthetic demo to a few iterations.
    private static readonly Dictionary<string, string> TinyRunEnvironment = new(StringComparer.Ordinal)
    {
        ["DiGA__Pipeline__WarmUp__Stage__Iterations"] = "2",
        ["DiGA__Pipeline__WarmUp__Stage__BatchSize"] = "2",
        ["DiGA__Pipeline__SelfTraining__Stage__Iterations"] = "2",
        ["DiGA__Pipeline__SelfTraining__Stage__BatchSize"] = "2",
        ["DiGA__Pipeline__SelfTraining__Rounds"] = "1",
        ["DiGA__Pipeline__Data__Workers"] = "1",
        ["DiGA__Pipeline__WorkDirectory"] = "work",
    };

    // The test kit's data has a known answer: the reference dynamic selector keeps exactly the pixels whose offline label is right.
    private const string SelectorKitProgram = """
        using DiGA.Core.Kernels.PseudoLabels;
        using DiGA.Core.Testing;

        using var data = SelectorTestData.Create();
        using var selection = new DynamicPseudoLabelSelector().Select(data.Arguments);
        var violations = SelectionContract.Check(selection, data.Arguments);
        using var agreement = selection.Kept.eq(data.ExpectedAgreement).to(TorchSharp.torch.ScalarType.Float32).mean();
        Console.WriteLine($"violations={violations.Count} agreement={agreement.item<float>()}");
        """;

    private static async Task<string> CreateAppAsync(DirectoryInfo work, string name, string feed, string version, string[] packages, string program)
    {
        var app = Directory.CreateDirectory(Path.Combine(work.FullName, name)).FullName;
        await RunAsync("dotnet", $"new console -n {name} -o . --framework net10.0", app);
        foreach (var package in packages)
        {
            var pinned = package.StartsWith("DiGA.Core", StringComparison.Ordinal) ? $"--version {version} --source \"{feed}\"" : "--version 10.0.0";
            await RunAsync("dotnet", $"add package {package} {pinned}", app);
        }

        await RunAsync("dotnet", "add package TorchSharp-cpu --version 0.107.0", app);
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), program);
        await RunAsync("dotnet", "build -c Release", app);
        return app;
    }

    private static string CodeBlock(string markdown, string language)
    {
        var start = markdown.IndexOf("```" + language + "\n", StringComparison.Ordinal);
        start.Should().BeGreaterThanOrEqualTo(0, "the README has a {0} block", language);
        start += language.Length + 4;
        return markdown[start..markdown.IndexOf("```", start, StringComparison.Ordinal)];
    }

    private static string FindRepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "DiGA.Core.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("DiGA.Core.sln not found above " + AppContext.BaseDirectory);
    }

    private static async Task<string> RunAsync(string file, string arguments, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        output.Append(await stdout).Append(await stderr);
        process.ExitCode.Should().Be(0, "`{0} {1}` failed:\n{2}", file, arguments, output);
        return output.ToString();
    }

    [GeneratedRegex(@"\(\s*[A-Z]\w*(<[^()]*>)?\s*\)\s*[\w(]")]
    private static partial Regex Cast();
}
