using System.Text.Json;
using DiGA.Core.Data.Transforms;

namespace DiGA.Core.Tests.Data.Transforms;

/// <summary>Compares the host resampler with PIL (Fixtures/Data/generate_resample_fixtures.py).</summary>
public class ResamplerParityTests
{
    private static readonly JsonElement Fixture = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "Data", "resample_pil.json"))).RootElement;

    private static byte[] Bytes(JsonElement array) => [.. array.EnumerateArray().Select(e => (byte)e.GetInt32())];

    public static TheoryData<int> Cases() => [.. Enumerable.Range(0, Fixture.GetProperty("cases").GetArrayLength())];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Resize_MatchesPil(int caseIndex)
    {
        var width = Fixture.GetProperty("width").GetInt32();
        var height = Fixture.GetProperty("height").GetInt32();
        var c = Fixture.GetProperty("cases")[caseIndex];
        int outHeight = c.GetProperty("height").GetInt32(), outWidth = c.GetProperty("width").GetInt32();
        var filter = c.GetProperty("filter").GetString();
        if (filter == "nearest")
        {
            var label = Resampler.ResizeNearest(Bytes(Fixture.GetProperty("label")), width, height, 1, outWidth, outHeight);
            label.Should().Equal(Bytes(c.GetProperty("label")), "nearest must pick the same source pixels as PIL");
            return;
        }

        var image = Resampler.ResizeImage(Bytes(Fixture.GetProperty("image")), width, height, 3, outWidth, outHeight, filter == "bicubic" ? Resampler.Filter.Bicubic : Resampler.Filter.Bilinear);
        var expected = Bytes(c.GetProperty("image"));
        // PIL uses fixed-point weights; a value may differ by one grey level.
        image.Zip(expected).Max(p => Math.Abs(p.First - p.Second)).Should().BeLessThanOrEqualTo(1, $"{filter} {outHeight}x{outWidth}");
    }
}
