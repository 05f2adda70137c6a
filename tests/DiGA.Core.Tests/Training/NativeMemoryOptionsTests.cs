using System.ComponentModel.DataAnnotations;
using DiGA.Core.Training;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DiGA.Core.Tests.Training;

public sealed class NativeMemoryOptionsTests
{
    [Fact]
    public void Defaults_AreTheDocumentedOnes()
    {
        var options = new DiGAPipelineOptions().NativeMemory;

        options.ArenaLimit.Should().Be(2);
        options.RetainFreedMemory.Should().BeTrue();
    }

    [Theory]
    [InlineData(-1, false)]
    [InlineData(0, true)]
    [InlineData(1024, true)]
    [InlineData(1025, false)]
    public void ArenaLimit_IsValidatedByRange(int limit, bool valid)
    {
        var options = new NativeMemoryOptions { ArenaLimit = limit };

        Validator.TryValidateObject(options, new ValidationContext(options), [], validateAllProperties: true).Should().Be(valid);
    }

    [Fact]
    public void AddDiGA_InvalidArenaLimit_FailsAtStartUpNamingTheOption()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Device"] = "cpu",
            ["Pipeline:NativeMemory:ArenaLimit"] = "-3",
        }).Build();
        var services = new ServiceCollection();
        services.AddDiGA(configuration);
        using var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredService<IStartupValidator>().Validate();

        act.Should().Throw<OptionsValidationException>().Where(e => e.Message.Contains("ArenaLimit", StringComparison.Ordinal));
    }
}
