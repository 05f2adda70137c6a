using System.ComponentModel.DataAnnotations;

namespace DiGA.Core.Distillation;

/// <summary>Runs the DataAnnotations rules of a kernel's options, so components built with <c>new</c> fail fast too.</summary>
internal static class KernelOptions
{
    /// <summary>Validates every annotated property of <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentException">A property breaks its rule; the message names the options type and the property.</exception>
    public static void Validate(object options, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(options, parameterName);
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
        {
            var messages = string.Join(" ", results.Select(result => result.ErrorMessage));
            throw new ArgumentException($"Invalid {options.GetType().Name}: {messages}", parameterName);
        }
    }
}
