using static TorchSharp.torch;

namespace DiGA.Core.Models.Inference;

/// <summary>
/// A base for decorators that wrap another <see cref="ISegmentationModel"/>. Every member forwards to
/// <see cref="InnerModel"/> unless overridden; <see cref="Module"/> and the parameter groups are the inner model's.
/// </summary>
/// <remarks>Disposing the decorator disposes the inner model when it was created with <c>ownsInnerModel</c> = <see langword="true"/>.</remarks>
internal abstract class DelegatingSegmentationModel : ISegmentationModel
{
    private readonly bool _ownsInnerModel;

    /// <summary>Initialises a new decorator.</summary>
    /// <param name="innerModel">The wrapped model.</param>
    /// <param name="ownsInnerModel">Whether disposing the decorator disposes <paramref name="innerModel"/>.</param>
    protected DelegatingSegmentationModel(ISegmentationModel innerModel, bool ownsInnerModel)
    {
        ArgumentNullException.ThrowIfNull(innerModel);
        InnerModel = innerModel;
        _ownsInnerModel = ownsInnerModel;
    }

    /// <summary>Gets the wrapped model.</summary>
    public ISegmentationModel InnerModel { get; }

    /// <inheritdoc />
    public virtual SegmentationModelInfo Info => InnerModel.Info;

    /// <inheritdoc />
    public TorchSharp.torch.Device Device => InnerModel.Device;

    /// <inheritdoc />
    public virtual TorchSharp.torch.nn.Module Module => InnerModel.Module;

    /// <inheritdoc />
    public virtual SegmentationOutput Forward(Tensor images) => InnerModel.Forward(images);

    /// <summary>
    /// Runs <paramref name="model"/> for its logits alone: a decorator skips the work it does only for the features (for
    /// the inference decorators, resizing D-channel features to the input size, which for D = 64 … 256 is several times
    /// the logits' size); any other model runs <see cref="ISegmentationModel.Forward"/> and keeps the logits.
    /// </summary>
    /// <param name="model">The model or decorator.</param>
    /// <param name="images">The input, as for <see cref="ISegmentationModel.Forward"/>; not disposed.</param>
    /// <returns>Fresh logits, equal to those of <see cref="ISegmentationModel.Forward"/>, in the caller's dispose scope.</returns>
    internal static Tensor ForwardLogits(ISegmentationModel model, Tensor images)
    {
        if (model is DelegatingSegmentationModel decorator)
        {
            return decorator.ForwardLogits(images);
        }

        using var output = model.Forward(images);
        return output.Logits.alias();
    }

    /// <summary>
    /// Computes the logits of <see cref="Forward"/>; a decorator whose features cost extra work overrides it to skip them.
    /// The default runs <see cref="Forward"/> (so a decorator that only overrides <see cref="Forward"/> still sees every call).
    /// </summary>
    /// <param name="images">The input; not disposed.</param>
    /// <returns>Fresh logits in the caller's dispose scope.</returns>
    protected virtual Tensor ForwardLogits(Tensor images)
    {
        using var output = Forward(images);
        return output.Logits.alias();
    }

    /// <inheritdoc />
    public abstract ISegmentationModel Clone();

    /// <inheritdoc />
    public virtual IReadOnlyList<ModelParameterGroup> GetParameterGroups() => InnerModel.GetParameterGroups();

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Disposes the inner model when this decorator owns it.</summary>
    /// <param name="disposing">Whether the call comes from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing && _ownsInnerModel)
        {
            InnerModel.Dispose();
        }
    }
}
