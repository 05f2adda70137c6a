using System.Text.Json.Nodes;
using DiGA.Core.Models.Architectures;
using DiGA.Core.Models.Checkpoints;
using Microsoft.Extensions.Logging;

namespace DiGA.Core.Models;

/// <summary>
/// A family of segmentation networks: how to build one from <see cref="SegmentationModelOptions"/>, how to describe a built
/// model in a checkpoint and rebuild it from that description, and how the reference optimiser groups its parameters.
/// </summary>
/// <remarks>
/// Architectures are looked up by name in <c>SegmentationArchitectures</c>, which the model factory, <c>ModelCheckpoint</c>
/// and the optimiser share, so no code outside an architecture needs to know its model type. Implementations are stateless
/// and thread-safe.
/// </remarks>
public abstract class SegmentationArchitecture
{
    /// <summary>Gets the names this architecture builds (lower case, for example <c>deeplabv2-resnet101</c>); the name a model reports in <see cref="SegmentationModelInfo.Architecture"/>.</summary>
    public abstract IReadOnlyList<string> Names { get; }

    /// <summary>Builds a randomly initialised model.</summary>
    /// <param name="name">One of <see cref="Names"/>.</param>
    /// <param name="options">Classes, widths, normalisation, device and seed.</param>
    /// <param name="loggerFactory">An optional logger factory.</param>
    /// <returns>A new model in training mode on the configured device, owned by the caller.</returns>
    /// <exception cref="ArgumentException">An option does not suit this architecture.</exception>
    public abstract ISegmentationModel Create(string name, SegmentationModelOptions options, ILoggerFactory? loggerFactory = null);

    /// <summary>Describes how <paramref name="model"/> was built, for a checkpoint header.</summary>
    /// <param name="model">A model this architecture built (not a decorator).</param>
    /// <returns>A JSON object that <see cref="Rebuild"/> accepts.</returns>
    /// <exception cref="ArgumentException">The model was not built by this architecture.</exception>
    public abstract JsonObject Describe(ISegmentationModel model);

    /// <summary>Builds a model from a description written by <see cref="Describe"/>; its weights are then loaded from the checkpoint.</summary>
    /// <param name="description">The description.</param>
    /// <param name="device">The device name (<c>auto</c>, <c>cpu</c>, <c>cuda</c>, <c>cuda:N</c>).</param>
    /// <returns>A new model owned by the caller.</returns>
    /// <exception cref="ArgumentException">The description is invalid.</exception>
    public abstract ISegmentationModel Rebuild(JsonObject description, string device);

    /// <summary>
    /// Gets the parameter groups as the reference optimiser receives them, with a parameter listed once per update it gets
    /// per step. The default is <see cref="ISegmentationModel.GetParameterGroups"/> (every parameter once).
    /// </summary>
    /// <param name="model">A model this architecture built.</param>
    /// <returns>The groups.</returns>
    public virtual IReadOnlyList<ModelParameterGroup> GetReferenceParameterGroups(ISegmentationModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.GetParameterGroups();
    }
}
