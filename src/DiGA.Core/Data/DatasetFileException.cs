namespace DiGA.Core.Data;

/// <summary>A dataset file is missing, unreadable, corrupt or inconsistent with its pair.</summary>
/// <remarks>The message always names the file and says what is wrong.</remarks>
public sealed class DatasetFileException : IOException
{
    /// <summary>Initialises an empty exception.</summary>
    public DatasetFileException()
        : this("A dataset file is invalid.")
    {
    }

    /// <summary>Initialises an exception with a message.</summary>
    /// <param name="message">The message.</param>
    public DatasetFileException(string message)
        : base(message)
    {
        FilePath = string.Empty;
        Reason = message;
    }

    /// <summary>Initialises an exception with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public DatasetFileException(string message, Exception innerException)
        : base(message, innerException)
    {
        FilePath = string.Empty;
        Reason = message;
    }

    /// <summary>Initialises an exception for a file.</summary>
    /// <param name="filePath">The offending file.</param>
    /// <param name="reason">What is wrong with it.</param>
    /// <param name="innerException">The cause, if any.</param>
    public DatasetFileException(string filePath, string reason, Exception? innerException = null)
        : base($"{filePath}: {reason}", innerException)
    {
        FilePath = filePath;
        Reason = reason;
    }

    /// <summary>Gets the offending file (or directory).</summary>
    public string FilePath { get; }

    /// <summary>Gets what is wrong with <see cref="FilePath"/>.</summary>
    public string Reason { get; }
}
