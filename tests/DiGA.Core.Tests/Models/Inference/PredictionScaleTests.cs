using System.Globalization;
using DiGA.Core.Models;
using DiGA.Core.Models.Inference;
using DiGA.Core.Tests.Helpers;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace DiGA.Core.Tests.Models.Inference;

/// <summary>Prediction at the model's training scale, on a model trained on 32×64 synthetic scenes (<see cref="TrainedSceneModel"/>).</summary>
public sealed class PredictionScaleTests(TrainedSceneModel trained, ITestOutputHelper output) : IClassFixture<TrainedSceneModel>
{
    private const int H = TrainedSceneModel.Height;
    private const int W = TrainedSceneModel.Width;
    private const int SceneCount = 4;

    private static readonly (int Top, int Left)[] Quadrants = [(0, 0), (0, W), (H, 0), (H, W)];

    [Fact]
    public void TrainingStage_RecordsTheTrainingImageSizeAsTheInputScale()
    {
        output.WriteLine(Invariant($"training {trained.TrainingTime.TotalSeconds:F1} s, held-out mIoU {trained.HeldOutMeanIoU:F1} %"));
        // The demo preset trains on whole images (no crop), so the window is the whole 32×64 training image.
        trained.InputScale.Should().Be(new InputScale(H, W));
    }

    [Fact]
    public void SceneUpscaled8x_PredictedAtTheModelsInputScale_AgreesWithThePredictionOnTheScene()
    {
        var atScale = new SegmentationPredictor(trained.Model, new SegmentationPredictorOptions { InputScale = trained.InputScale });
        var atOwnSize = new SegmentationPredictor(trained.Model);
        for (var i = 0; i < SceneCount; i++)
        {
            using var scope = NewDisposeScope();
            var scene = trained.Scene(i);
            var big = interpolate(scene, size: [8 * H, 8 * W], mode: InterpolationMode.Bilinear, align_corners: false);
            var reference = atScale.PredictLabels(scene);

            var bigLabels = atScale.PredictLabels(big);

            bigLabels.shape.Should().Equal(1, 8 * H, 8 * W);
            // Compared at the scene's own resolution: the predictor shrinks the 256×512 image back to the 32×64 training
            // scale, so its big label map is the 32×64 logits upsampled and holds no finer decision than one per scene
            // pixel; at 256×512 each decision would count 64 times and the reference would have to be upsampled. Scene
            // pixel i became the 8×8 block 8i…8i+7, so the block's centre pixel (8i + 4) stands for it. (Torch's plain
            // nearest mode takes the block's first pixel, half a scene pixel off, which moves every class boundary and
            // costs 3–4 points of agreement.) What still differs is resampling: the image goes up with one corner
            // alignment and back down with another, which blurs and shifts boundaries by a fraction of a pixel and flips
            // some boundary pixels; hence 95 % and not 100 %.
            var agreement = Agreement(Downsample(bigLabels), reference);
            var firstPixel = Agreement(bigLabels[.., TensorIndex.Slice(0, null, 8), TensorIndex.Slice(0, null, 8)], reference);
            var ownSize = Agreement(Downsample(atOwnSize.PredictLabels(big)), reference);
            output.WriteLine(Invariant($"scene {i}: 8× upscaled, at the input scale: {100 * agreement:F2} % agree (block's first pixel: {100 * firstPixel:F2} %; predicted at its own size instead: {100 * ownSize:F2} %); {Classes(reference)} classes predicted"));

            // A model that predicted one class everywhere would agree trivially.
            Classes(reference).Should().BeGreaterThanOrEqualTo(3, "the trained model separates the scene's regions");
            agreement.Should().BeGreaterThanOrEqualTo(0.95, "scene {0}", i);
        }
    }

    [Fact]
    public void SceneTiled2x2_AtTheTilesScaleWithWindowsOnTheTiles_EachQuadrantIsThePredictionOnTheScene()
    {
        // The tiled image is 64×128 at the scene's native scale and the window is the 32×64 training image, so the image
        // is not resized and is covered by windows. Without overlap the windows are exactly the four tiles.
        var tileScale = new InputScale(2 * H, 2 * W, H, W);
        var windowed = new SegmentationPredictor(trained.Model, new SegmentationPredictorOptions { InputScale = tileScale, WindowOverlap = 0 });
        var atScale = new SegmentationPredictor(trained.Model, new SegmentationPredictorOptions { InputScale = trained.InputScale });
        for (var i = 0; i < SceneCount; i++)
        {
            using var scope = NewDisposeScope();
            var scene = trained.Scene(i);
            var tiled = Tile(scene);

            var logits = windowed.PredictLogits(tiled);

            // Each window is the same forward pass on the same values as the single-scene prediction, upsampled by the same
            // interpolate call and divided by a count of 1; the convolutions on a window copied out of the larger image
            // still round differently in the last bits (observed ≤ 6.7e-6 with logits up to 21, i.e. ≤ 4 ulps), so the
            // logits are compared to 1e-4 and the labels exactly (a flip would need two logits within 1e-4 of each other).
            var reference = atScale.PredictLogits(scene);
            var labels = logits.argmax(1);
            foreach (var (top, left) in Quadrants)
            {
                var rows = TensorIndex.Slice(top, top + H);
                var columns = TensorIndex.Slice(left, left + W);
                TensorAssert.Close(logits[.., .., rows, columns], reference, 1e-4, $"quadrant ({top}, {left}) of scene {i}");
                TensorAssert.Equal(labels[.., rows, columns], reference.argmax(1), $"quadrant ({top}, {left}) of scene {i}");
            }
        }
    }

    [Fact]
    public void SceneTiled2x2_AtTheTilesScaleWithOverlappingWindows_EachQuadrantMostlyAgreesWithThePredictionOnTheScene()
    {
        // With the default overlap of ⅓ the windows start at rows 0, 21, 32 and columns 0, 43, 64: the ones at row 21 or
        // column 43 straddle two tiles, and their logits are averaged with those of the windows on the tiles.
        var tileScale = new InputScale(2 * H, 2 * W, H, W);
        var windowed = new SegmentationPredictor(trained.Model, new SegmentationPredictorOptions { InputScale = tileScale });
        var atScale = new SegmentationPredictor(trained.Model, new SegmentationPredictorOptions { InputScale = trained.InputScale });
        for (var i = 0; i < SceneCount; i++)
        {
            using var scope = NewDisposeScope();
            var scene = trained.Scene(i);
            var reference = atScale.PredictLabels(scene);
            var tiled = Tile(scene);

            var labels = windowed.PredictLabels(tiled);

            labels.shape.Should().Equal(1, 2 * H, 2 * W);
            var quadrants = Quadrants
                .Select(q => Agreement(labels[.., TensorIndex.Slice(q.Top, q.Top + H), TensorIndex.Slice(q.Left, q.Left + W)], reference))
                .ToArray();
            var shrunk = Agreement(atScale.PredictLabels(tiled)[.., TensorIndex.Slice(0, H), TensorIndex.Slice(0, W)], reference);
            output.WriteLine(Invariant($"scene {i}: quadrants agree on {string.Join(", ", quadrants.Select(q => (100 * q).ToString("F2", CultureInfo.InvariantCulture)))} % (top-left quadrant at the model's own 32×64 scale instead, each tile shrunk to 16×32: {100 * shrunk:F2} %)"));

            // Not 95 %: a straddling window shows the bottom of one scene above the top of the next, a seam no training
            // image has, and this small whole-image model uses context across its whole window (sky above, road below), so
            // its logits there pull boundary pixels of the band next to the seam to other classes. Measured 85–96 % over
            // eight scenes and two training lengths, the disagreements all inside the straddled bands (the pixels seen by one
            // window only agree exactly; see the test above). 80 % still fails misplaced or mis-weighted windows, which
            // garble whole quadrants (shrinking each tile to 16×32 instead gives 48–80 %).
            quadrants.Should().OnlyContain(q => q >= 0.80, "scene {0}", i);
        }
    }

    [Fact]
    public void SceneTiled2x2_PredictedWithDefaultOrModelScaleOptions_HasTheInputsSize()
    {
        using var scope = NewDisposeScope();
        var tiled = Tile(trained.Scene(0));
        foreach (var options in new[] { new SegmentationPredictorOptions(), new SegmentationPredictorOptions { InputScale = trained.InputScale } })
        {
            var predictor = new SegmentationPredictor(trained.Model, options);

            var logits = predictor.PredictLogits(tiled);
            var labels = predictor.PredictLabels(tiled);

            logits.shape.Should().Equal(1, trained.Model.Info.ClassCount, 2 * H, 2 * W);
            labels.shape.Should().Equal(1, 2 * H, 2 * W);
        }
    }

    private static Tensor Tile(Tensor scene)
    {
        var row = cat([scene, scene], 3);
        return cat([row, row], 2);
    }

    private static Tensor Downsample(Tensor labels) => labels[.., TensorIndex.Slice(4, null, 8), TensorIndex.Slice(4, null, 8)];

    private static long Classes(Tensor labels) => labels.unique().Item1.numel();

    private static double Agreement(Tensor a, Tensor b) => a.eq(b).to(ScalarType.Float64).mean().item<double>();

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);
}
