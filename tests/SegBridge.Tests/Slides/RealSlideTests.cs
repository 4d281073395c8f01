using System.Globalization;
using SegBridge.Imaging.Slides;
using SegBridge.Tests.Support;
using Xunit.Abstractions;

namespace SegBridge.Tests.Slides;

/// <summary>
/// The real Aperio slides in $SEGBRIDGE_DATA/wsi against openslide-python (Debian python3-openslide) run on
/// the same files: properties and pixels must be identical.
/// </summary>
public class RealSlideTests
{
    private readonly ITestOutputHelper _out;
    public RealSlideTests(ITestOutputHelper output) => _out = output;

    public static TheoryData<string> Slides => new() { "cmu-1-small-region.svs", "tcga-cr-7395-01a-01-ts1.svs" };

    private static string SlidePath(string name)
    {
        Skip.If(SlideTools.OpenSlideMissing is not null, SlideTools.OpenSlideMissing);
        Skip.If(RepoPaths.Data is null, RepoPaths.NoDataMessage);
        var path = Path.Combine(RepoPaths.Data!, "wsi", name);
        Skip.IfNot(File.Exists(path), $"{path} not found (the shared data's wsi/ folder); test skipped");
        return path;
    }

    [SkippableTheory]
    [MemberData(nameof(Slides))]
    public void Aperio_slide_opens_with_its_properties_and_mpp(string name)
    {
        using var slide = SlideImage.Open(SlidePath(name));
        _out.WriteLine(slide.ToString());
        _out.WriteLine($"levels: {string.Join("; ", slide.Levels.Select(l => $"{l.Width}x{l.Height} @ {l.Downsample.ToString(CultureInfo.InvariantCulture)}"))}");
        _out.WriteLine($"associated: {string.Join(", ", slide.AssociatedImageNames)}; objective power {slide.ObjectivePower}");
        Assert.Equal("aperio", slide.Vendor);
        if (name.StartsWith("cmu-1"))
        {
            Assert.Equal((0.499, 0.499), (slide.MppX, slide.MppY));
            Assert.Equal(20, slide.ObjectivePower);
            Assert.Equal((2220L, 2967L), (slide.Width, slide.Height));
            Assert.Equal(["label", "macro", "thumbnail"], slide.AssociatedImageNames.Order());
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Slides))]
    public void Regions_at_level_0_and_the_last_level_equal_openslide_python_pixel_for_pixel(string name)
    {
        var path = SlidePath(name);
        using var slide = SlideImage.Open(path);
        int last = slide.Levels.Count - 1;
        var l = slide.Levels[last];
        long w0 = slide.Width, h0 = slide.Height;
        var regions = new List<(long X, long Y, int Level, int W, int H)>
        {
            (0, 0, 0, 512, 512),
            (w0 / 2 - 300, h0 / 2 - 200, 0, 600, 400),
            (w0 - 200, h0 - 150, 0, 400, 300),                 // crosses the right and bottom edges: transparent there
            (0, 0, last, (int)Math.Min(l.Width, 1024), (int)Math.Min(l.Height, 1024)),
            (w0 / 3, h0 / 3, last, 300, 200),
            ((long)(w0 - 100 * l.Downsample), 0, last, 300, 200), // crosses the right edge at the last level
        };
        var specs = regions.Select(r => $"{r.X},{r.Y},{r.Level},{r.W},{r.H}").Concat(slide.AssociatedImageNames.Select(n => "assoc:" + n)).ToList();
        var reference = SlideTools.Reference(path, specs, out var skip);
        Skip.If(reference is null, skip);
        var (info, outputs) = reference!.Value;

        Assert.Equal(info.GetProperty("vendor").GetString(), slide.Vendor);
        var props = info.GetProperty("properties").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
        Assert.Equal(props.OrderBy(p => p.Key), slide.Properties.OrderBy(p => p.Key).Select(p => KeyValuePair.Create(p.Key, (string?)p.Value)));
        var downsamples = info.GetProperty("downsamples").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(downsamples, slide.Levels.Select(x => x.Downsample));

        for (int i = 0; i < regions.Count; i++)
        {
            var r = regions[i];
            // Black for transparent pixels is openslide-python's convert('RGB'): every pixel must match.
            var ours = slide.ReadRegion(r.X, r.Y, r.Level, r.W, r.H, TransparentPixels.Black);
            int diff = Enumerable.Range(0, ours.Pixels.Length).Count(k => ours.Pixels[k] != outputs[i][k]);
            _out.WriteLine($"{specs[i]}: {diff} bytes differ from openslide-python");
            Assert.Equal(outputs[i].Length, ours.Pixels.Length);
            Assert.True(diff == 0, $"region {specs[i]} of {name}: {diff} bytes differ from openslide-python");
        }
        for (int i = regions.Count; i < specs.Count; i++)
        {
            var assoc = slide.ReadAssociatedImage(specs[i]["assoc:".Length..]);
            Assert.True(assoc.Pixels.AsSpan().SequenceEqual(outputs[i]), $"associated image {specs[i]} differs from openslide-python");
        }

        // White (the default) changes only the transparent pixels outside the slide.
        var edge = regions[2];
        var white = slide.ReadRegion(edge.X, edge.Y, edge.Level, edge.W, edge.H);
        Assert.Equal(outputs[2].AsSpan(0, 3).ToArray(), white.Pixels[..3]);
        Assert.Equal([255, 255, 255], white.Pixels[^3..]);
    }
}
