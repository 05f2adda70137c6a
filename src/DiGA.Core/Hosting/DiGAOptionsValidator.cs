using Microsoft.Extensions.Options;

namespace DiGA.Core.Hosting;

/// <summary>Validates <see cref="DiGAOptions"/> and every nested options object from their data annotations (source-generated).</summary>
[OptionsValidator]
internal sealed partial class DiGAOptionsValidator : IValidateOptions<DiGAOptions>
{
}
