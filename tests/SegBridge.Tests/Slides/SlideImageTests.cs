using SegBridge.Tests.Support;
using SegBridge.Imaging.Rasters;
using SegBridge.Imaging.Slides;

namespace SegBridge.Tests.Slides;

public class SlideImageTests : IClassFixture<SyntheticSlide>
{
    private readonly SyntheticSlide _fx;
    public SlideImageTests(SyntheticSlide fx) => _fx = fx;

    [SkippableFact]
    public void Generic_tiff_pyramid_has_halving_levels_matching_the_native_calls()
    {
        using var slide = _fx.Open();
        Assert.Equal("generic-tiff", slide.Vendor);
        Assert.True(slide.Levels.Count >= 3, $"expected ≥ 3 levels, got {slide.Levels.Count}");
        Assert.Equal((2000L, 1500L, 1.0), (slide.Levels[0].Width, slide.Levels[0].Height, slide.Levels[0].Downsample));
        for (int i = 1; i < slide.Levels.Count; i++)
        {
            var l = slide.Levels[i];
            Assert.InRange(l.Width, SyntheticSlide.Width / (1L << i), SyntheticSlide.Width / (1L << i) + 1);
            Assert.InRange(l.Height, SyntheticSlide.Height / (1L << i), SyntheticSlide.Height / (1L << i) + 1);
            Assert.InRange(l.Downsample, (1 << i) * 0.99, (1 << i) * 1.01);
            Assert.Equal(slide.Properties[$"openslide.level[{i}].width"], l.Width.ToString());
        }
        Assert.Equal(slide.Levels.Count.ToString(), slide.Properties["openslide.level-count"]);
    }

    [SkippableFact]
    public void Best_level_for_downsample_follows_openslide()
    {
        using var slide = _fx.Open();
        using var raw = OpenSlideNative.openslide_open(_fx.TiffPath!);
        foreach (var d in new[] { 0.25, 1, 1.5, 1.999, 2, 2.0001, 3, 3.99, 4, 7.9, 8, 8.0107, 8.02, 9, 64, 1e6 })
            Assert.Equal(OpenSlideNative.openslide_get_best_level_for_downsample(raw, d), slide.BestLevelForDownsample(d));
    }

    [SkippableFact]
    public void Mpp_comes_from_the_tiff_resolution_tags()
    {
        using var slide = _fx.Open();
        Assert.Equal("centimeter", slide.Properties["tiff.ResolutionUnit"]);
        Assert.Equal(250, slide.MppX!.Value, 6); // 4 px/mm
        Assert.Equal(200, slide.MppY!.Value, 6); // 5 px/mm
        Assert.Null(slide.ObjectivePower);
    }

    [Fact]
    public void Mpp_rules_for_properties()
    {
        Assert.Equal((0.25, 0.26), SlideResolution.MicronsPerPixel(new Dictionary<string, string> { ["openslide.mpp-x"] = "0.25", ["openslide.mpp-y"] = "0.26", ["tiff.XResolution"] = "1", ["tiff.ResolutionUnit"] = "inch" }));
        Assert.Equal((25400 / 100000.0, 25400 / 50000.0), SlideResolution.MicronsPerPixel(new Dictionary<string, string> { ["tiff.XResolution"] = "100000", ["tiff.YResolution"] = "50000", ["tiff.ResolutionUnit"] = "inch" }));
        Assert.Equal((null, null), SlideResolution.MicronsPerPixel(new Dictionary<string, string> { ["tiff.XResolution"] = "72", ["tiff.YResolution"] = "72", ["tiff.ResolutionUnit"] = "none" }));
        Assert.Equal((null, null), SlideResolution.MicronsPerPixel(new Dictionary<string, string> { ["openslide.mpp-x"] = "abc", ["tiff.ResolutionUnit"] = "centimeter", ["tiff.XResolution"] = "0" }));
    }

    [SkippableFact]
    public void Region_reads_at_every_level_show_the_drawn_shapes()
    {
        using var slide = _fx.Open();
        (int X, int Y)[] points = [(500, 600), (1500, 450), (1000, 1150), (100, 100), (1900, 1400), (1000, 700)];
        foreach (var level in slide.Levels)
            foreach (var (x, y) in points)
            {
                double ds = level.Downsample;
                var region = slide.ReadRegion((long)(x - 8 * ds), (long)(y - 8 * ds), level.Index, 16, 16);
                Assert.Equal((16, 16, 3), (region.Width, region.Height, region.Channels));
                var expected = SyntheticSlide.ExpectedColour(x, y);
                int i = (8 * 16 + 8) * 3;
                for (int c = 0; c < 3; c++)
                    Assert.True(Math.Abs(region.Pixels[i + c] - expected[c]) <= 16,
                        $"level {level.Index} at ({x},{y}) channel {c}: got {region.Pixels[i + c]}, drawn {expected[c]}");
            }
    }

    [SkippableFact]
    public void Level0_read_matches_the_drawn_image_away_from_edges()
    {
        using var slide = _fx.Open();
        var region = slide.ReadRegion(150, 250, 0, 700, 700);
        int bad = 0, checkedPixels = 0;
        for (int y = 0; y < 700; y += 3)
            for (int x = 0; x < 700; x += 3)
            {
                int gx = 150 + x, gy = 250 + y;
                // Skip a 12-pixel band around edges (JPEG chroma subsampling and ringing).
                if (Near(gx, gy, 12)) continue;
                checkedPixels++;
                var e = SyntheticSlide.ExpectedColour(gx, gy);
                int i = (y * 700 + x) * 3;
                if (Math.Abs(region.Pixels[i] - e[0]) > 16 || Math.Abs(region.Pixels[i + 1] - e[1]) > 16 || Math.Abs(region.Pixels[i + 2] - e[2]) > 16) bad++;
            }
        Assert.True(checkedPixels > 20000);
        Assert.Equal(0, bad);
    }

    private static bool Near(int x, int y, int band)
    {
        var c = SyntheticSlide.ExpectedColour(x, y);
        foreach (var (dx, dy) in new[] { (band, 0), (-band, 0), (0, band), (0, -band), (band, band), (-band, -band), (band, -band), (-band, band) })
            if (!SyntheticSlide.ExpectedColour(x + dx, y + dy).SequenceEqual(c)) return true;
        return false;
    }

    [SkippableFact]
    public void Outside_the_slide_is_white_by_default_and_black_like_openslide_python_on_request()
    {
        using var slide = _fx.Open();
        var white = slide.ReadRegion(1990, 1490, 0, 20, 20);
        var black = slide.ReadRegion(1990, 1490, 0, 20, 20, TransparentPixels.Black);
        int inside = (5 * 20 + 5) * 3, outside = (15 * 20 + 15) * 3;
        Assert.Equal([255, 255, 255], white.Pixels[outside..(outside + 3)]);
        Assert.Equal([0, 0, 0], black.Pixels[outside..(outside + 3)]);
        Assert.Equal(white.Pixels[inside..(inside + 3)], black.Pixels[inside..(inside + 3)]);
        Assert.True(white.Pixels[inside] > 230); // the slide's own white
    }

    [SkippableFact]
    public void Region_validation_has_clear_messages()
    {
        using var slide = _fx.Open();
        Assert.Contains("levels 0..", Assert.Throws<ArgumentOutOfRangeException>(() => slide.ReadRegion(0, 0, 99, 10, 10)).Message);
        Assert.Contains("must be positive", Assert.Throws<ArgumentOutOfRangeException>(() => slide.ReadRegion(0, 0, 0, 0, 10)).Message);
        Assert.Contains("outside the slide", Assert.Throws<ArgumentOutOfRangeException>(() => slide.ReadRegion(5000, 0, 0, 10, 10)).Message);
        Assert.Contains("outside the slide", Assert.Throws<ArgumentOutOfRangeException>(() => slide.ReadRegion(-100, 0, 0, 50, 10)).Message);
        var tooBig = Assert.Throws<SlideException>(() => slide.ReadRegion(0, 0, 0, 100_000, 100_000));
        Assert.Contains("exceeds the limit", tooBig.Message);
        Assert.Contains(_fx.TiffPath!, tooBig.Message);
        using var small = SlideImage.Open(_fx.TiffPath!, maxRegionPixels: 100);
        Assert.Throws<SlideException>(() => small.ReadRegion(0, 0, 0, 11, 10));
        Assert.Contains("destination", Assert.Throws<ArgumentException>(() => slide.ReadRegion(0, 0, 0, 10, 10, new byte[10])).Message);
    }

    [SkippableFact]
    public void Region_into_a_caller_buffer_equals_the_allocating_read()
    {
        using var slide = _fx.Open();
        var buffer = new byte[64 * 48 * 3 + 7];
        slide.ReadRegion(333, 444, 1, 64, 48, buffer);
        Assert.Equal(slide.ReadRegion(333, 444, 1, 64, 48).Pixels, buffer[..(64 * 48 * 3)]);
    }

    [Fact]
    public void Not_a_slide_and_missing_files_are_slide_exceptions()
    {
        Skip.If(SlideTools.OpenSlideMissing is not null, SlideTools.OpenSlideMissing);
        var dir = Directory.CreateTempSubdirectory("segbridge-badslides").FullName;
        try
        {
            var png = Path.Combine(dir, "fake.svs");
            File.WriteAllBytes(png, TestImages.DiskPng(64, 64, 32, 32, 10));
            var e = Assert.Throws<SlideException>(() => SlideImage.Open(png));
            Assert.Contains("not a slide OpenSlide can read", e.Message);
            Assert.Contains(png, e.Message);
            Assert.Equal(png, e.SlidePath);
            Assert.False(e.LibraryMissing);

            var text = Path.Combine(dir, "notes.tif");
            File.WriteAllText(text, "hello");
            Assert.Contains("not a slide OpenSlide can read", Assert.Throws<SlideException>(() => SlideImage.Open(text)).Message);

            var missing = Path.Combine(dir, "nope.svs");
            Assert.Contains("slide not found", Assert.Throws<SlideException>(() => SlideImage.Open(missing)).Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    [SkippableFact]
    public void Truncated_tiff_fails_with_a_slide_exception_naming_the_file()
    {
        Skip.If(_fx.SkipReason is not null, _fx.SkipReason);
        var bytes = File.ReadAllBytes(_fx.TiffPath!);
        foreach (var keep in new[] { bytes.Length / 2, bytes.Length / 5, 64 })
        {
            var path = Path.Combine(_fx.Directory, $"truncated-{keep}.tif");
            File.WriteAllBytes(path, bytes[..keep]);
            var e = Assert.Throws<SlideException>(() =>
            {
                using var slide = SlideImage.Open(path);
                // If the directories survived, the tiles did not: reading every level must fail.
                foreach (var l in slide.Levels) slide.ReadRegion(0, 0, l.Index, (int)Math.Min(l.Width, 2048), (int)Math.Min(l.Height, 2048));
            });
            Assert.Contains(path, e.Message);
        }
    }

    [SkippableFact]
    public void Dispose_twice_is_safe_and_later_reads_throw_object_disposed()
    {
        var slide = _fx.Open();
        slide.Dispose();
        slide.Dispose();
        Assert.True(slide.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => slide.ReadRegion(0, 0, 0, 8, 8));
        Assert.Throws<ObjectDisposedException>(() => slide.ReadLevelPixels(0, 0, 0, 8, 8, new byte[192]));
    }

    [SkippableFact]
    public void Concurrent_reads_from_several_threads_equal_serial_reads()
    {
        using var slide = _fx.Open();
        var rng = new Random(7);
        var regions = Enumerable.Range(0, 48).Select(_ =>
        {
            int level = rng.Next(slide.Levels.Count);
            return (X: (long)rng.Next(0, 1800), Y: (long)rng.Next(0, 1300), Level: level, W: rng.Next(16, 200), H: rng.Next(16, 200));
        }).ToArray();
        var serial = regions.Select(r => slide.ReadRegion(r.X, r.Y, r.Level, r.W, r.H).Pixels).ToArray();
        var parallel = new byte[regions.Length][];
        Parallel.For(0, regions.Length * 4, new ParallelOptions { MaxDegreeOfParallelism = 6 }, i =>
        {
            var r = regions[i % regions.Length];
            var px = slide.ReadRegion(r.X, r.Y, r.Level, r.W, r.H).Pixels;
            Assert.Equal(serial[i % regions.Length], px);
            parallel[i % regions.Length] = px;
        });
        Assert.All(parallel, Assert.NotNull);
    }

    [SkippableFact]
    public void Dispose_while_other_threads_read_never_crashes()
    {
        var slide = _fx.Open();
        int ok = 0, sawDisposed = 0;
        using var started = new CountdownEvent(4);
        var threads = Enumerable.Range(0, 4).Select(t => new Thread(() =>
        {
            started.Signal();
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (DateTime.UtcNow < deadline)
            {
                try { slide.ReadRegion(100 * t, 100 * t, 0, 128, 128); Interlocked.Increment(ref ok); }
                catch (ObjectDisposedException) { Interlocked.Increment(ref sawDisposed); return; }
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        started.Wait();
        Thread.Sleep(50);
        slide.Dispose();
        threads.ForEach(t => t.Join());
        Assert.True(ok > 0, "reads before Dispose should succeed");
        Assert.Equal(4, sawDisposed); // every thread's next read after Dispose was refused, none crashed
    }

    [Fact]
    public void Argb_conversion_copies_opaque_unpremultiplies_like_openslide_python_and_fills_transparent()
    {
        uint[] argb =
        [
            0xFF102030u,                 // opaque
            0x00000000u,                 // transparent
            0x80402010u,                 // a=128, premultiplied (64,32,16)
            0x01010101u,                 // a=1
        ];
        var white = new byte[12]; var black = new byte[12];
        ArgbConversion.ToRgb(argb, white, TransparentPixels.White);
        ArgbConversion.ToRgb(argb, black, TransparentPixels.Black);
        Assert.Equal(new byte[] { 0x10, 0x20, 0x30, 255, 255, 255, 255 * 64 / 128, 255 * 32 / 128, 255 * 16 / 128, 255, 255, 255 }, white);
        Assert.Equal(new byte[] { 0x10, 0x20, 0x30, 0, 0, 0, 127, 63, 31, 255, 255, 255 }, black);
    }

    [Fact]
    public void Library_version_is_reported()
    {
        Skip.If(SlideTools.OpenSlideMissing is not null, SlideTools.OpenSlideMissing);
        Assert.StartsWith("3.", SlideImage.LibraryVersion);
    }
}
