using System.Diagnostics;
using DiGA.Core.Data;
using DiGA.Core.Data.Datasets;
using DiGA.Core.Data.Imaging;
using DiGA.Core.Labels;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using Xunit.Abstractions;

namespace DiGA.Core.Tests.Data.Datasets;

/// <summary>
/// Mutated images and labels behind <see cref="FolderDataset.Load"/>: every case must load or throw a
/// <see cref="DatasetFileException"/> naming the mutated file, quickly and without allocating beyond what the pixel limit allows.
/// </summary>
public sealed class ReaderFuzzTests(ITestOutputHelper output)
{
    private const int Seed = 52178;

    private const int MutationsPerLabel = 150;

    private const int MutationsPerImage = 110;

    /// <summary>The dataset's pixel limit: 128×128, four times the largest base image (64×64), so every unmutated file fits.</summary>
    private const int MaxPixels = 128 * 128;

    /// <summary>
    /// The most a case may allocate on the loading thread. A legitimate load of a <see cref="MaxPixels"/> image and label allocates
    /// at most ~40 bytes per pixel: the inflated PNG rows (≤ 8, 16-bit RGBA), the decoded samples (≤ 8), the label values (2) and
    /// train ids (1), the RGB pixels (3) and ImageSharp's row buffers and intermediate pixels (≤ 16); 64 bytes per pixel leaves
    /// room. The fixed 2 MiB covers the file bytes (≤ 100 KB here), decoder tables, exceptions and their stack traces.
    /// A decoder that trusts a header (65535², 4096², 2³¹×1) or inflates a deflate bomb allocates tens of megabytes or more.
    /// </summary>
    private const long AllocationBound = (64L * MaxPixels) + (2L << 20);

    /// <summary>
    /// Per case: files are at most 64×64 (plus 32 MiB deflate bombs that must be cut short), so a load takes well under
    /// 10 ms; 2 s tolerates a shared 2-core CI machine, JIT and GC pauses, while a hang or a multi-gigabyte allocation exceeds it.
    /// </summary>
    private static readonly TimeSpan CaseTime = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan RunTime = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Load_MutatedImagesAndLabels_LoadOrThrowNamingTheFile()
    {
        var total = Stopwatch.StartNew();
        using var dir = new TempDirectory();
        var random = new Random(Seed);
        var cases = BuildCases(dir, random);
        cases.Values.Count(c => c.What != "unmutated").Should().BeGreaterThanOrEqualTo(2000);
        var space = ClassMapFile.Parse(new MemoryStream("""{"name":"fuzz","labelBits":16,"strict":false,"classes":[{"name":"a","color":[0,0,0]}]}"""u8.ToArray()), "fuzz.json");
        var dataset = new FolderDataset(new SegmentationDatasetOptions { Root = dir.Path, MaxImagePixels = MaxPixels }, space);
        dataset.Count.Should().Be(cases.Count);

        var failures = new List<(string Category, string Text)>();
        var reasons = new Dictionary<string, int>(StringComparer.Ordinal);
        int loaded = 0, clear = 0, current = -1;
        var loading = Stopwatch.StartNew();

        // One worker thread: allocations are measured per thread (other test classes run in parallel, so process-wide counters
        // would include their allocations), and a hang fails the test naming the case instead of blocking the run (the stuck
        // thread is abandoned). ImageSharp's large buffers come from unmanaged pools the GC counter does not see; the
        // allocator limit of ImageFile bounds those.
        var worker = Task.Factory.StartNew(
            () =>
            {
                for (var i = 0; i < dataset.Count; i++)
                {
                    if (cases[dataset.GetFiles(i).Id].What == "unmutated")
                    {
                        TryLoad(dataset, i);
                    }
                }

                for (var i = 0; i < dataset.Count; i++)
                {
                    Volatile.Write(ref current, i);
                    var fuzz = cases[dataset.GetFiles(i).Id];
                    var before = GC.GetAllocatedBytesForCurrentThread();
                    var watch = Stopwatch.StartNew();
                    var error = TryLoad(dataset, i);
                    watch.Stop();
                    var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                    var problems = new List<(string Category, string Text)>();
                    if (error is DatasetFileException named && !named.Message.Contains(fuzz.Path, StringComparison.Ordinal))
                    {
                        problems.Add(("message without the file", named.Message));
                    }
                    else if (error is not null and not DatasetFileException)
                    {
                        problems.Add((error.GetType().Name, error.Message));
                    }

                    if (watch.Elapsed > CaseTime)
                    {
                        problems.Add(("too slow", $"took {watch.Elapsed.TotalMilliseconds:F0} ms"));
                    }

                    if (allocated > AllocationBound)
                    {
                        problems.Add(("over-allocation", $"allocated {allocated / 1024.0 / 1024.0:F1} MiB"));
                    }

                    if (problems.Count > 0)
                    {
                        lock (failures)
                        {
                            failures.AddRange(problems.Select(p => (p.Category, $"{fuzz.Id} ({fuzz.Kind}, {fuzz.What}): {p.Text}")));
                        }
                    }
                    else if (error is null)
                    {
                        loaded++;
                    }
                    else
                    {
                        clear++;
                        var reason = ((DatasetFileException)error).Reason;
                        var key = reason[..Math.Min(reason.Length, 48)];
                        reasons[key] = reasons.GetValueOrDefault(key) + 1;
                    }
                }

                loading.Stop();
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

        var finished = await Task.WhenAny(worker, Task.Delay(RunTime)) == worker;
        (string Category, string Text)[] found;
        lock (failures)
        {
            found = [.. failures];
        }

        output.WriteLine($"{cases.Count} cases: {loaded} loaded, {clear} clear errors, {found.Length} failures; loading {loading.Elapsed.TotalSeconds:F1} s, whole test {total.Elapsed.TotalSeconds:F1} s");
        foreach (var group in found.GroupBy(f => f.Category))
        {
            output.WriteLine($"{group.Count(),5} × {group.Key}");
        }

        if (finished)
        {
            foreach (var (reason, count) in reasons.OrderByDescending(r => r.Value).Take(30))
            {
                output.WriteLine($"{count,5} × {reason}");
            }
        }

        foreach (var failure in found.Take(40))
        {
            output.WriteLine(failure.Text);
        }

        var hung = Volatile.Read(ref current);
        finished.Should().BeTrue($"case {hung} ({(hung < 0 ? "?" : cases[dataset.GetFiles(hung).Id].What)}) should finish within {RunTime}");

        found.Should().BeEmpty($"every case loads or throws a DatasetFileException naming the file, in time and within the allocation bound (first: {found.FirstOrDefault().Text})");
        (loaded + clear).Should().Be(cases.Count);
        loaded.Should().BeGreaterThan(0, "unmutated files and harmless mutations load");
        clear.Should().BeGreaterThan(cases.Count / 2);
    }

    private static Exception? TryLoad(FolderDataset dataset, int index)
    {
        try
        {
            dataset.Load(index);
            return null;
        }
#pragma warning disable CA1031 // The fuzz loop classifies every exception.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return ex;
        }
    }

    private static Dictionary<string, FuzzCase> BuildCases(TempDirectory dir, Random random)
    {
        var cases = new Dictionary<string, FuzzCase>(StringComparer.Ordinal);
        void Add(string kind, bool isLabel, string extension, byte[] bytes, string what, int width, int height)
        {
            var id = $"case{cases.Count:D5}";
            var image = dir[$"images/{id}{(isLabel ? ".png" : extension)}"];
            var label = dir[$"labels/{id}.png"];
            Directory.CreateDirectory(Path.GetDirectoryName(image)!);
            Directory.CreateDirectory(Path.GetDirectoryName(label)!);
            if (isLabel)
            {
                File.WriteAllBytes(label, bytes);
                ImageFile.WriteRgb(image, new RgbImage(width, height, new byte[width * height * 3]));
            }
            else
            {
                File.WriteAllBytes(image, bytes);
                ImageFile.WriteLabel(label, width, height, new byte[width * height]);
            }

            cases[id] = new FuzzCase(id, kind, what, isLabel ? label : image);
        }

        foreach (var (kind, isLabel, bytes, width, height) in BaseFiles(random))
        {
            var isPng = bytes[0] == 0x89;
            var extension = isPng ? ".png" : ".jpg";
            Add(kind, isLabel, extension, bytes, "unmutated", width, height);
            var count = isLabel ? MutationsPerLabel : MutationsPerImage;
            for (var m = 0; m < count; m++)
            {
                var (mutated, what) = isPng ? FileMutator.MutatePng(bytes, random) : FileMutator.MutateJpeg(bytes, random);
                Add(kind, isLabel, extension, mutated, what, width, height);
            }

            if (!isPng)
            {
                continue;
            }

            foreach (var (w, h) in FileMutator.HeaderSizes)
            {
                Add(kind, isLabel, extension, FileMutator.SetHeaderSize(bytes, w, h), $"IHDR {w}×{h}", width, height);
            }

            // Deflate streams that inflate to more than the header implies: a little (64 bytes) and a 32 MiB bomb (~32 KB compressed).
            var rows = height * (1 + (width * 8));
            Add(kind, isLabel, extension, FileMutator.ReplaceImageData(bytes, new byte[rows + 64]), "inflates 64 bytes too many", width, height);
            Add(kind, isLabel, extension, FileMutator.ReplaceImageData(bytes, Bomb), "deflate bomb (32 MiB)", width, height);
        }

        return cases;
    }

    private static readonly byte[] Bomb = new byte[32 << 20];

    private static IEnumerable<(string Kind, bool IsLabel, byte[] Bytes, int Width, int Height)> BaseFiles(Random random)
    {
        byte[] Values(int count, int modulo) => [.. Enumerable.Range(0, count).Select(_ => (byte)random.Next(modulo))];
        byte[] Encode<TPixel>(Image<TPixel> image, IImageEncoder encoder)
            where TPixel : unmanaged, IPixel<TPixel>
        {
            using (image)
            {
                using var stream = new MemoryStream();
                image.Save(stream, encoder);
                return stream.ToArray();
            }
        }

        Image<Rgb24> Rgb(int width, int height, int colours) =>
            Image.LoadPixelData<Rgb24>([.. Values(width * height, colours).Select(v => new Rgb24((byte)(v * 37), (byte)(v * 91), (byte)(v * 13)))], width, height);

        byte[] Ours(Action<string> write)
        {
            var path = Path.Combine(Path.GetTempPath(), $"fuzz-base-{Guid.NewGuid():N}.png");
            try
            {
                write(path);
                return File.ReadAllBytes(path);
            }
            finally
            {
                File.Delete(path);
            }
        }

        LabelColor[] palette = [.. Enumerable.Range(0, 20).Select(i => new LabelColor((byte)(i * 12), (byte)(255 - i), 3))];
        ushort[] Wide(int count) => [.. Enumerable.Range(0, count).Select(_ => (ushort)random.Next(65536))];

        // Labels: decoded by the library's own PNG codec.
        yield return ("label palette 8-bit", true, Ours(p => ImageFile.WritePaletteLabel(p, 32, 24, Values(32 * 24, 20), palette)), 32, 24);
        yield return ("label grey 8-bit", true, Ours(p => ImageFile.WriteLabel(p, 16, 16, Values(16 * 16, 256))), 16, 16);
        yield return ("label grey 16-bit", true, Ours(p => ImageFile.WriteLabel16(p, 24, 20, PngCodec.Grayscale, Wide(24 * 20))), 24, 20);
        yield return ("label RGB 8-bit", true, Ours(p => ImageFile.WriteRgb(p, new RgbImage(20, 12, Values(20 * 12 * 3, 256)))), 20, 12);
        yield return ("label RGBA 16-bit", true, Ours(p => ImageFile.WriteLabel16(p, 10, 9, PngCodec.Rgba, Wide(10 * 9 * 4))), 10, 9);
        yield return ("label palette 4-bit", true, Encode(Rgb(24, 16, 12), new PngEncoder { ColorType = PngColorType.Palette, BitDepth = PngBitDepth.Bit4 }), 24, 16);
        yield return ("label grey 8-bit Adam7", true, Encode(Rgb(13, 11, 200), new PngEncoder { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit8, InterlaceMethod = PngInterlaceMode.Adam7 }), 13, 11);
        yield return ("label grey 8-bit 64×64", true, Ours(p => ImageFile.WriteLabel(p, 64, 64, Values(64 * 64, 19))), 64, 64);

        // Images: decoded by ImageSharp.
        yield return ("image PNG RGB 8-bit", false, Ours(p => ImageFile.WriteRgb(p, new RgbImage(32, 24, Values(32 * 24 * 3, 256)))), 32, 24);
        yield return ("image PNG palette", false, Encode(Rgb(24, 16, 30), new PngEncoder { ColorType = PngColorType.Palette }), 24, 16);
        yield return ("image PNG grey 8-bit", false, Encode(Rgb(16, 16, 256), new PngEncoder { ColorType = PngColorType.Grayscale }), 16, 16);
        yield return ("image PNG RGB 16-bit", false, Encode(Rgb(20, 12, 256), new PngEncoder { ColorType = PngColorType.Rgb, BitDepth = PngBitDepth.Bit16 }), 20, 12);
        yield return ("image PNG RGB Adam7", false, Encode(Rgb(13, 11, 256), new PngEncoder { ColorType = PngColorType.Rgb, InterlaceMethod = PngInterlaceMode.Adam7 }), 13, 11);
        // Flat images: the stale scanline buffer of a decoder that runs out of data holds valid filter bytes (zeros).
        yield return ("image PNG RGB flat", false, Encode(new Image<Rgb24>(24, 20), new PngEncoder { ColorType = PngColorType.Rgb }), 24, 20);
        yield return ("image PNG RGB Adam7 flat", false, Encode(new Image<Rgb24>(13, 11), new PngEncoder { ColorType = PngColorType.Rgb, InterlaceMethod = PngInterlaceMode.Adam7 }), 13, 11);
        yield return ("image JPEG 4:2:0", false, Encode(Rgb(32, 24, 256), new JpegEncoder { Quality = 90, ColorType = JpegColorType.YCbCrRatio420 }), 32, 24);
        yield return ("image JPEG 4:4:4", false, Encode(Rgb(24, 16, 256), new JpegEncoder { Quality = 75, ColorType = JpegColorType.YCbCrRatio444 }), 24, 16);
        yield return ("image JPEG grey", false, Encode(Rgb(16, 16, 256), new JpegEncoder { ColorType = JpegColorType.Luminance }), 16, 16);
        yield return ("image JPEG 64×64", false, Encode(Rgb(64, 64, 256), new JpegEncoder { Quality = 95 }), 64, 64);
    }

    private sealed record FuzzCase(string Id, string Kind, string What, string Path);
}
