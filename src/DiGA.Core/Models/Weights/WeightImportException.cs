namespace DiGA.Core.Models.Weights;

/// <summary>Thrown by a strict <see cref="WeightImporter"/> load when keys are missing, unexpected or of the wrong shape; nothing was copied.</summary>
public sealed class WeightImportException : InvalidOperationException
{
    /// <summary>Initialises a new exception.</summary>
    public WeightImportException()
        : this("The weights do not match the model.")
    {
    }

    /// <summary>Initialises a new exception with a message.</summary>
    /// <param name="message">The message.</param>
    public WeightImportException(string message)
        : base(message)
    {
        Report = new WeightImportReport([], [], [], [], []);
    }

    /// <summary>Initialises a new exception with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public WeightImportException(string message, Exception innerException)
        : base(message, innerException)
    {
        Report = new WeightImportReport([], [], [], [], []);
    }

    /// <summary>Initialises a new exception from a load report.</summary>
    /// <param name="path">The weight file.</param>
    /// <param name="report">What did not match.</param>
    public WeightImportException(string path, WeightImportReport report)
        : base($"The weights in '{path}' do not match the model (strict load):{Environment.NewLine}{report?.Describe()}")
    {
        ArgumentNullException.ThrowIfNull(report);
        Report = report;
    }

    /// <summary>Gets the report of what did not match.</summary>
    public WeightImportReport Report { get; }
}
