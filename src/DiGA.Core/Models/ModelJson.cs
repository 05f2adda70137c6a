using System.Text.Json;
using System.Text.Json.Serialization;

namespace DiGA.Core.Models;

/// <summary>The JSON settings of architecture descriptions in checkpoint headers (enums as names).</summary>
internal static class ModelJson
{
    public static JsonSerializerOptions Options { get; } = new() { WriteIndented = false, Converters = { new JsonStringEnumConverter() } };
}
