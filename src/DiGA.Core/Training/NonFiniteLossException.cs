namespace DiGA.Core.Training;

/// <summary>Thrown when a training loss becomes NaN or infinite; the last good checkpoint is left untouched.</summary>
public sealed class NonFiniteLossException : Exception
{
    /// <summary>Initialises a new instance.</summary>
    public NonFiniteLossException()
    {
    }

    /// <summary>Initialises a new instance with a message.</summary>
    /// <param name="message">The message.</param>
    public NonFiniteLossException(string message)
        : base(message)
    {
    }

    /// <summary>Initialises a new instance with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public NonFiniteLossException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets the stage in which the loss diverged.</summary>
    public string? Stage { get; init; }

    /// <summary>Gets the last iteration (exclusive) up to which the losses were checked and finite.</summary>
    public int LastFiniteIteration { get; init; }

    /// <summary>Gets the path of the last good checkpoint, if one was written.</summary>
    public string? LastCheckpoint { get; init; }
}
