using DiGA.Core.Foundation;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace DiGA.Core.Translation.Learned;

/// <summary>The loss terms of the image translator training.</summary>
internal static class TranslatorLosses
{
    /// <summary>LSGAN discriminator loss summed over scales: <c>Σ_k mean((D_k(real) − 1)²) + mean(D_k(fake)²)</c>.</summary>
    public static Tensor DiscriminatorLoss(IReadOnlyList<Tensor> real, IReadOnlyList<Tensor> fake)
    {
        using var scope = NewDisposeScope();
        var loss = zeros(1, device: real[0].device).squeeze();
        for (var k = 0; k < real.Count; k++)
        {
            loss = loss.add(real[k].sub(Scalars.Of(1)).pow(Scalars.Of(2)).mean(), Scalars.One).add(fake[k].pow(Scalars.Of(2)).mean(), Scalars.One);
        }

        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>LSGAN generator loss summed over scales: <c>Σ_k mean((D_k(fake) − 1)²)</c>.</summary>
    public static Tensor GeneratorLoss(IReadOnlyList<Tensor> fake)
    {
        using var scope = NewDisposeScope();
        var loss = zeros(1, device: fake[0].device).squeeze();
        foreach (var output in fake)
        {
            loss = loss.add(output.sub(Scalars.Of(1)).pow(Scalars.Of(2)).mean(), Scalars.One);
        }

        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Semantic-edge mask: <c>|lap(y)| &gt; threshold</c> with the 5×5 Laplacian (ones, centre −24, divided by 48) and
    /// reflect borders. The ignore label (255) takes part like any other value.
    /// </summary>
    /// <param name="labels">Labels <c>[N, H, W]</c>, integer (H, W ≥ 3).</param>
    /// <param name="threshold">The threshold on the absolute response (0.1 in the reference).</param>
    /// <returns>A fresh float32 mask <c>[N, 1, H, W]</c> of zeros and ones.</returns>
    public static Tensor SemanticEdgeMask(Tensor labels, double threshold)
    {
        using var scope = NewDisposeScope();
        var kernel = ones(1, 1, 5, 5, dtype: ScalarType.Float32, device: labels.device);
        kernel[0, 0, 2, 2] = tensor(-24f);
        kernel.div_(Scalars.Of(48f));
        var padded = functional.pad(labels.to(ScalarType.Float32).unsqueeze(1), [2, 2, 2, 2], PaddingModes.Reflect);
        var laplacian = functional.conv2d(padded, kernel);
        using var thresholdScalar = Scalars.Create(threshold);
        return laplacian.abs().gt(thresholdScalar).to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    /// <summary>Edge loss: <c>mean|x ⊙ E − y ⊙ E|</c> over all elements, with <c>E</c> broadcast over the 3 channels.</summary>
    public static Tensor EdgeLoss(Tensor source, Tensor translated, Tensor mask)
    {
        using var scope = NewDisposeScope();
        return functional.l1_loss(source * mask, translated * mask).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Perceptual loss <c>Σ_i w_i · mean|f_i(x) − f_i(y).detach()|</c>; while the width exceeds 1024, both images are
    /// average-pooled by 2 first.
    /// </summary>
    public static Tensor PerceptualLoss(IPerceptualFeatureExtractor extractor, IReadOnlyList<double> weights, Tensor input, Tensor target)
    {
        using var scope = NewDisposeScope();
        while (input.shape[3] > 1024)
        {
            input = functional.avg_pool2d(input, 2);
            target = functional.avg_pool2d(target, 2);
        }

        var inputFeatures = extractor.Extract(input);
        IReadOnlyList<Tensor> targetFeatures;
        using (no_grad())
        {
            targetFeatures = extractor.Extract(target);
        }

        if (inputFeatures.Count != weights.Count || targetFeatures.Count != weights.Count)
        {
            throw new InvalidOperationException($"The perceptual feature extractor returned {inputFeatures.Count} maps but {weights.Count} layer weights are configured.");
        }

        var loss = zeros(1, device: input.device).squeeze();
        for (var i = 0; i < weights.Count; i++)
        {
            using var weight = Scalars.Create(weights[i]);
            loss = loss.add(functional.l1_loss(inputFeatures[i], targetFeatures[i].detach()).mul(weight), Scalars.One);
        }

        return loss.MoveToOuterDisposeScope();
    }
}
