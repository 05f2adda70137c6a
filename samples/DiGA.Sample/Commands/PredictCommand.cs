using System.CommandLine;
using System.Globalization;
using DiGA.Core.Data.Imaging;
using DiGA.Core.Foundation;
using DiGA.Core.Hosting;
using DiGA.Core.Labels;
using DiGA.Core.Models;
using DiGA.Core.Models.Checkpoints;
using DiGA.Core.Models.Inference;
using Spectre.Console;
using TorchSharp;
using static TorchSharp.torch;

namespace DiGA.Sample.Commands;

/// <summary>Segments the user's own images of any size with a model checkpoint and writes colourised labels and overlays.</summary>
public sealed class PredictCommand(DiGAOptions options, SampleSettings settings)
{
    private static readonly string[] Extensions = [".png", ".jpg", ".jpeg"];

    /// <summary>Creates the <c>predict</c> command.</summary>
    public static Command Create(SampleHost host) => host.Runs<PredictCommand>(
        new Command("predict", "Segment your own images (any size, PNG or JPEG) into colourised label PNGs and overlays.")
        {
            SampleOptions.Checkpoint("Model to predict with (required)."),
            new Option<string>("--input") { Description = "An image, or a folder of PNG and JPEG images (required).", HelpName = "path" },
            SampleOptions.Output("Output folder of the label PNGs and overlays."),
            SampleOptions.Device(),
        },
        (command, cancellationToken) => command.RunAsync(cancellationToken));

    /// <summary>Runs the prediction.</summary>
    public Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var checkpoint = settings.Checkpoint ?? throw new ArgumentException("predict needs --checkpoint <model.ckpt>.");
        var input = settings.Input ?? throw new ArgumentException("predict needs --input <image or folder>.");
        var files = Directory.Exists(input)
            ? Directory.EnumerateFiles(input).Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant())).Order(StringComparer.Ordinal).ToArray()
            : File.Exists(input) ? [input] : throw new FileNotFoundException($"Input '{input}' is neither an image nor a folder.", input);
        if (files.Length == 0)
        {
            throw new ArgumentException($"Folder '{input}' contains no PNG or JPEG image.");
        }

        var output = Path.GetFullPath(settings.Output);
        Directory.CreateDirectory(output);
        var device = TorchDevices.Resolve(options.Device);
        using var model = ModelCheckpoint.Load(checkpoint, device.ToString());
        var labelSpace = LabelSpace.Identity("model", model.Info.ClassNames, LabelSpace.Cityscapes19TrainIds.Colors.Take(model.Info.ClassCount).Concat(Enumerable.Repeat(new LabelColor(128, 128, 128), Math.Max(0, model.Info.ClassCount - 19))).ToArray());
        var scale = settings.PredictionScale ?? ModelCheckpoint.ReadInputScale(checkpoint);
        var predictor = new SegmentationPredictor(model, new SegmentationPredictorOptions { InputScale = scale });
        AnsiConsole.MarkupLine(scale is null
            ? "The checkpoint records no training scale: predicting every image at its own size (set --Sample:PredictionScale:ImageHeight/ImageWidth to choose one)."
            : $"Predicting at the model's training scale: images resized to a height of {scale.ImageHeight}, windows of {scale.Window.Height}×{scale.Window.Width} where larger.");
        foreach (var file in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var image = ImageFile.ReadRgb(file);
            var labels = predictor.PredictLabels(model.Info.Normalization.Normalize(image.Pixels, image.Height, image.Width, device))[0].to(ScalarType.Byte).cpu();
            var rgb = tensor(image.Pixels, [1, image.Height, image.Width, 3]).permute(0, 3, 1, 2);
            var name = Path.GetFileNameWithoutExtension(file);
            PredictionImages.SaveColorized(labels, Path.Combine(output, name + "-labels.png"), labelSpace);
            PredictionImages.SaveOverlay(rgb[0], labels, Path.Combine(output, name + "-overlay.png"), labelSpace);
            AnsiConsole.MarkupLine(CultureInfo.InvariantCulture, $"{Markup.Escape(file)} ({image.Width}×{image.Height}) → {Markup.Escape(name)}-labels.png, {Markup.Escape(name)}-overlay.png");
        }

        AnsiConsole.MarkupLine($"Wrote {files.Length} prediction(s) to [bold]{Markup.Escape(output)}[/].");
        return Task.FromResult(0);
    }
}
