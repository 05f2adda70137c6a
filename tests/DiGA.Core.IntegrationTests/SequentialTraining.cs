namespace DiGA.Core.IntegrationTests;

/// <summary>
/// Tests that train or build models in this process run one at a time: dropout draws from libtorch's process-wide
/// generator, which each stage seeds, and so does every module constructor (its default initialisation, before the model
/// overwrites it from its own seeded generator); a model built or trained in parallel would take draws from a training's
/// stream, and that training would no longer be reproducible.
/// </summary>
[CollectionDefinition(Name)]
public sealed class SequentialTraining
{
    public const string Name = "Training";
}
