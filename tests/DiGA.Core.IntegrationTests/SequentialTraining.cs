namespace DiGA.Core.IntegrationTests;

/// <summary>
/// Tests that train models in this process run one at a time: they share the machine's two cores, and a stage reseeds
/// libtorch's process-wide generator at every iteration (for the dropout of models other than the library's, which draw
/// from the stage's own generator), which a test drawing from that generator in parallel would see.
/// </summary>
[CollectionDefinition(Name)]
public sealed class SequentialTraining
{
    public const string Name = "Training";
}
