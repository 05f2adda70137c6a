using System.Diagnostics;
using System.Globalization;
using System.Text;
using DiGA.Core.Kernels.Distillation;

namespace DiGA.Core.IntegrationTests.Packaging;

/// <summary>Packs DiGA.Core and consumes it from a fresh console project, as <c>dotnet add package DiGA.Core</c> users do.</summary>
public class PackageConsumptionTests
{
    [Fact]
    public async Task Pack_AddPackageToFreshConsoleApp_BuildsAndRuns()
    {
        var repository = FindRepositoryRoot();
        var work = Directory.CreateTempSubdirectory("diga-pack-");
        try
        {
            var feed = Directory.CreateDirectory(Path.Combine(work.FullName, "feed")).FullName;
            var version = "0.0.0-consume" + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture);
            await RunAsync("dotnet", $"pack \"{Path.Combine(repository, "src", "DiGA.Core", "DiGA.Core.csproj")}\" -c Release -o \"{feed}\" -p:Version={version}", repository);
            File.Exists(Path.Combine(feed, $"DiGA.Core.{version}.nupkg")).Should().BeTrue();
            File.Exists(Path.Combine(feed, $"DiGA.Core.{version}.snupkg")).Should().BeTrue();

            var app = Directory.CreateDirectory(Path.Combine(work.FullName, "app")).FullName;
            await RunAsync("dotnet", "new console -n Consumer -o . --framework net10.0", app);
            await RunAsync("dotnet", $"add package DiGA.Core --version {version} --source \"{feed}\"", app);
            await RunAsync("dotnet", "add package TorchSharp-cpu --version 0.107.0", app);
            await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), ConsumerProgram);
            await RunAsync("dotnet", "build -c Release", app);
            var output = await RunAsync("dotnet", "run -c Release --no-build", app);

            var line = output.Split('\n').Single(l => l.StartsWith("loss=", StringComparison.Ordinal));
            var loss = double.Parse(line["loss=".Length..], CultureInfo.InvariantCulture);
            loss.Should().BeApproximately(ExpectedLoss, 1e-5);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    // Two views whose logits are constant across classes: every softmax is uniform over C = 4 classes, so each
    // soft-target cross-entropy term equals ln 4 and the loss is (1 + 0.5) ln 4 with the default reverse weight 0.5.
    private static readonly double ExpectedLoss = 1.5 * Math.Log(4);

    private const string ConsumerProgram = """
        using System.Globalization;
        using DiGA.Core;
        using DiGA.Core.Distillation;
        using TorchSharp;

        var logits = torch.zeros(2, 4, 3, 5);
        var distiller = new SymmetricDistiller(new SymmetricDistillationOptions());
        using var loss = distiller.ComputeLoss(new DistillationArguments(logits, logits, logits, logits));
        Console.WriteLine("loss=" + loss.item<float>().ToString("R", CultureInfo.InvariantCulture));
        """;

    private static string FindRepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "DiGA.Core.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("DiGA.Core.sln not found above " + AppContext.BaseDirectory);
    }

    private static async Task<string> RunAsync(string file, string arguments, string workingDirectory)
    {
        var start = new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        output.Append(await stdout).Append(await stderr);
        process.ExitCode.Should().Be(0, "`{0} {1}` failed:\n{2}", file, arguments, output);
        return output.ToString();
    }
}
