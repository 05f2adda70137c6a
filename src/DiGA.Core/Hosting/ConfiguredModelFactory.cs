using DiGA.Core.Models;
using DiGA.Core.Models.Architectures;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DiGA.Core.Hosting;

/// <summary>Builds the model <see cref="DiGAOptions.Model"/> describes, on <see cref="DiGAOptions.Device"/>, initialised from <see cref="DiGAOptions.Seed"/>.</summary>
/// <param name="options">The root options.</param>
/// <param name="loggerFactory">An optional logger factory.</param>
public sealed class ConfiguredModelFactory(IOptions<DiGAOptions> options, ILoggerFactory? loggerFactory = null) : ISegmentationModelFactory
{
    /// <inheritdoc />
    public ISegmentationModel Create()
    {
        var root = options.Value;
        var model = root.Model;
        return SegmentationArchitectures.Create(
            new SegmentationModelOptions
            {
                Architecture = model.Architecture,
                ClassNames = model.ClassNames,
                FeatureChannels = model.FeatureChannels,
                BackboneWidth = model.BackboneWidth,
                OutputStride = model.OutputStride,
                Normalization = model.Normalization,
                BackboneNormalization = model.BackboneNormalization,
                Device = root.Device,
                Seed = root.Seed,
            },
            loggerFactory);
    }
}
