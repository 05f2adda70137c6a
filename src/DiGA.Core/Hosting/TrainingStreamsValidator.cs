using DiGA.Core.Training.Pipeline;
using Microsoft.Extensions.Options;

namespace DiGA.Core.Hosting;

/// <summary>Validates the training streams of <see cref="DiGAOptions"/> against the stages' batch sizes (a rule across options that annotations cannot express).</summary>
internal sealed class TrainingStreamsValidator : IValidateOptions<DiGAOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, DiGAOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Pipeline?.Data is null || options.Pipeline.WarmUp?.Stage is null || options.Pipeline.DomainGeneralization?.Stage is null || options.Pipeline.SelfTraining?.Stage is null || options.Translator?.Training is null)
        {
            // Missing sections are reported by the annotation validator.
            return ValidateOptionsResult.Skip;
        }

        var builder = new ValidateOptionsResultBuilder();
        foreach (var error in TrainingStreams.Validate(options.Pipeline, options.Translator.Training))
        {
            builder.AddError(error);
        }

        return builder.Build();
    }
}
