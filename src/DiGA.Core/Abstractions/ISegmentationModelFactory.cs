namespace DiGA.Core;

/// <summary>Builds new segmentation models as the host configured them (architecture, classes, device, seed).</summary>
/// <remarks>Thread-safe. Every call returns a new, randomly initialised model owned by the caller.</remarks>
public interface ISegmentationModelFactory
{
    /// <summary>Builds a new model.</summary>
    /// <returns>A model in training mode on the configured device, owned by the caller.</returns>
    ISegmentationModel Create();
}
