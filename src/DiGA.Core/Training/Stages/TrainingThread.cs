namespace DiGA.Core.Training.Stages;

/// <summary>Runs tensor work on one dedicated thread, so thread-local dispose scopes and grad mode stay coherent.</summary>
internal static class TrainingThread
{
    /// <summary>Runs <paramref name="body"/> on a new long-running thread and completes with its result or exception.</summary>
    public static Task<T> RunAsync<T>(Func<T> body, CancellationToken cancellationToken) =>
        Task.Factory.StartNew(body, cancellationToken, TaskCreationOptions.LongRunning | TaskCreationOptions.DenyChildAttach, TaskScheduler.Default);
}
