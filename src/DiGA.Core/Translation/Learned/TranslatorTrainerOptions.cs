using System.ComponentModel.DataAnnotations;

namespace DiGA.Core.Translation.Learned;

/// <summary>Options of <see cref="TranslatorTrainer"/> (reference values of the GTA5 translator training).</summary>
public sealed class TranslatorTrainerOptions
{
    /// <summary>Gets or sets the tensor device: <c>auto</c>, <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</summary>
    /// <value>The default value is <c>auto</c>.</value>
    [Required]
    public string Device { get; set; } = "auto";

    /// <summary>Gets or sets the seed of the weight initialisation of the six networks.</summary>
    /// <value>The default value is 0.</value>
    public int Seed { get; set; }

    /// <summary>Gets or sets the number of iterations of the poly learning-rate schedule.</summary>
    /// <value>The default value is 50,000.</value>
    [Range(1, int.MaxValue)]
    public int MaxIterations { get; set; } = 50_000;

    /// <summary>Gets or sets the number of source images, and of target images, per iteration.</summary>
    /// <value>The default value is 2 (the reference's 1 low- and 1 high-resolution image per domain).</value>
    [Range(1, 4096)]
    public int BatchSize { get; set; } = 2;

    /// <summary>
    /// Gets or sets how many of each batch's images come from each training stream of the pipeline's data options, in
    /// stream order, with the rules of the stages' stream shares (one per stream, adding up to <see cref="BatchSize"/>;
    /// empty without streams).
    /// </summary>
    /// <value>The default value is an empty list; the reference presets set 1 + 1.</value>
    [Required]
    public IList<int> StreamShares { get; set; } = [];

    /// <summary>Gets or sets the base learning rate of Adam for all six networks.</summary>
    /// <value>The default value is 1e-4.</value>
    [Range(0.0, 1.0)]
    public double LearningRate { get; set; } = 1e-4;

    /// <summary>Gets or sets Adam's β1.</summary>
    /// <value>The default value is 0.5.</value>
    [Range(0.0, 1.0)]
    public double Beta1 { get; set; } = 0.5;

    /// <summary>Gets or sets Adam's β2.</summary>
    /// <value>The default value is 0.999.</value>
    [Range(0.0, 1.0)]
    public double Beta2 { get; set; } = 0.999;

    /// <summary>Gets or sets the power of the poly schedule <c>lr · (1 − i / MaxIterations)^power</c>.</summary>
    /// <value>The default value is 0.9.</value>
    [Range(0.0, 10.0)]
    public double PolyPower { get; set; } = 0.9;

    /// <summary>Gets or sets the weight of the LSGAN generator loss.</summary>
    /// <value>The default value is 0.5.</value>
    [Range(0.0, 1e6)]
    public double AdversarialWeight { get; set; } = 0.5;

    /// <summary>Gets or sets the weight of the cycle-consistency L1 loss.</summary>
    /// <value>The default value is 10.</value>
    [Range(0.0, 1e6)]
    public double CycleWeight { get; set; } = 10;

    /// <summary>Gets or sets the weight of the semantic-edge L1 loss.</summary>
    /// <value>The default value is 20.</value>
    [Range(0.0, 1e6)]
    public double EdgeWeight { get; set; } = 20;

    /// <summary>Gets or sets the weight of the perceptual loss.</summary>
    /// <value>The default value is 0.1.</value>
    [Range(0.0, 1e6)]
    public double PerceptualWeight { get; set; } = 0.1;

    /// <summary>Gets or sets the weight of the self-reconstruction L1 loss (0.025 for SYNTHIA in the reference).</summary>
    /// <value>The default value is 0.001 (GTA5).</value>
    [Range(0.0, 1e6)]
    public double SelfReconstructionWeight { get; set; } = 0.001;

    /// <summary>Gets or sets the threshold on the absolute Laplacian response of the source labels that marks semantic edges.</summary>
    /// <value>The default value is 0.1.</value>
    [Range(0.0, 1e6)]
    public double EdgeThreshold { get; set; } = 0.1;

    /// <summary>Gets or sets the per-layer weights of the perceptual loss (one per feature map of the extractor).</summary>
    /// <value>The default value is [1/32, 1/16, 1/8, 1/4, 1].</value>
    public IList<double> PerceptualLayerWeights { get; set; } = [1.0 / 32, 1.0 / 16, 1.0 / 8, 1.0 / 4, 1.0];

    /// <summary>Gets or sets the ImageNet VGG19 weights used by the default perceptual feature extractor (see <see cref="Vgg19FeatureExtractor"/>).</summary>
    /// <value>The default value is <see langword="null"/>: required unless a custom <see cref="IPerceptualFeatureExtractor"/> is given.</value>
    public string? VggWeightsPath { get; set; }

    /// <summary>Gets or sets the base channel width of the networks (64 in the reference). Narrow widths are for tests.</summary>
    internal int Width { get; set; } = 64;

    /// <summary>Throws when a value is out of range.</summary>
    /// <summary>Copies the options with another seed, leaving these options untouched.</summary>
    internal TranslatorTrainerOptions WithSeed(int seed)
    {
        var copy = (TranslatorTrainerOptions)MemberwiseClone();
        copy.Seed = seed;
        copy.PerceptualLayerWeights = [.. PerceptualLayerWeights];
        return copy;
    }

    internal void Validate()
    {
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(this, new ValidationContext(this), results, validateAllProperties: true))
        {
            throw new ArgumentException($"Invalid {nameof(TranslatorTrainerOptions)}: {string.Join(" ", results.Select(r => r.ErrorMessage))}");
        }

        if (PerceptualLayerWeights is null || PerceptualLayerWeights.Count == 0)
        {
            throw new ArgumentException($"Invalid {nameof(TranslatorTrainerOptions)}: {nameof(PerceptualLayerWeights)} must hold at least one weight.");
        }

        if (Width < 1)
        {
            throw new ArgumentException($"Invalid {nameof(TranslatorTrainerOptions)}: the width must be positive.");
        }
    }
}
