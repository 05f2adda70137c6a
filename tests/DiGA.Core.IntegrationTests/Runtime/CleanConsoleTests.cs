namespace DiGA.Core.IntegrationTests.Runtime;

/// <summary>
/// libtorch prints nothing on a CPU that NNPACK does not support: DiGA.Core turns NNPACK off before its first
/// convolution (libtorch would otherwise print "Could not initialize NNPACK! Reason: Unsupported hardware." at every
/// convolution there).
/// </summary>
public class CleanConsoleTests
{
    [Fact]
    public void TrainingStep_InAFreshProcess_WritesNothingToStandardError()
    {
        using var child = ChildProcess.Start("convolution");

        var exitCode = child.WaitForExit(TimeSpan.FromSeconds(120));

        exitCode.Should().Be(0, "the step's gradients are finite; stderr: {0}", child.StandardError);
        child.Lines.Should().Contain("convolution: finite gradients");
        child.StandardError.Should().BeEmpty();
    }
}
