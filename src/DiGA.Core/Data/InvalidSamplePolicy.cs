namespace DiGA.Core.Data;

/// <summary>What a dataset or loader does when a sample's files are missing, corrupt or inconsistent.</summary>
public enum InvalidSamplePolicy
{
    /// <summary>Throw a <see cref="DatasetFileException"/> naming the file (the default).</summary>
    Throw,

    /// <summary>Leave the sample out, record it in <c>SkippedSamples</c> and log a warning.</summary>
    Skip,
}
