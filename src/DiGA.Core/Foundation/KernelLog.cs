using Microsoft.Extensions.Logging;

namespace DiGA.Core.Foundation;

/// <summary>Source-generated log messages of the tensor kernels (event ids 1300–1399).</summary>
internal static partial class KernelLog
{
    [LoggerMessage(EventId = 1300, Level = LogLevel.Debug, Message = "{Component} created: {Configuration}")]
    public static partial void Created(this ILogger logger, string component, string configuration);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Debug, Message = "EMA teacher created from a {Architecture} student with {ParameterCount} parameter tensors")]
    public static partial void TeacherCreated(this ILogger logger, string architecture, int parameterCount);
}
