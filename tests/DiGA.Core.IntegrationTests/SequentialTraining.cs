namespace DiGA.Core.IntegrationTests;

/// <summary>
/// Tests that train run one at a time: dropout draws from libtorch's process-wide generator, which each stage seeds, so
/// two trainings in parallel would interleave their draws and no longer be reproducible.
/// </summary>
[CollectionDefinition(Name)]
public sealed class SequentialTraining
{
    public const string Name = "Training";
}
