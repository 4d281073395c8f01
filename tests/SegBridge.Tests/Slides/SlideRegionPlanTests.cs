using SegBridge.Imaging.Encodings;
using SegBridge.Imaging.Interactions;
using SegBridge.Imaging.Rasters;
using SegBridge.Imaging.Slides;

namespace SegBridge.Tests.Slides;

public class SlideRegionPlanTests : IClassFixture<SyntheticSlide>
{
    private readonly SyntheticSlide _fx;
    public SlideRegionPlanTests(SyntheticSlide fx) => _fx = fx;

    [SkippableFact]
    public void A_level_downsample_reads_that_level_aligned_without_resampling()
    {
        using var slide = _fx.Open();
        var plan = SlideRegionPlan.ForDownsample(slide, 151, 251, 700, 699, 2);
        Assert.Equal((1, 2.0, false), (plan.Level, plan.Downsample, plan.NeedsResampling));
        Assert.Equal((75L, 125L, 150.0, 250.0), (plan.LevelX, plan.LevelY, plan.OriginX, plan.OriginY));
        Assert.Equal((351, 350), (plan.Width, plan.Height)); // covers [150, 852) × [250, 950)
        var working = plan.Read(slide);
        Assert.Equal(slide.ReadRegion(150, 250, 1, 351, 350).Pixels, working.Pixels);
    }

    [SkippableFact]
    public void Level_choice_follows_openslide_with_a_small_tolerance()
    {
        using var slide = _fx.Open();
        Assert.Equal(0, SlideRegionPlan.ForDownsample(slide, 0, 0, 100, 100, 1.9).Level);
        Assert.Equal(1, SlideRegionPlan.ForDownsample(slide, 0, 0, 100, 100, 3).Level);
        Assert.Equal(2, SlideRegionPlan.ForDownsample(slide, 0, 0, 100, 100, 4).Level);
        Assert.Equal(2, SlideRegionPlan.ForDownsample(slide, 0, 0, 100, 100, 3.98).Level);                    // within 1 %
        Assert.Equal(1, SlideRegionPlan.ForDownsample(slide, 0, 0, 100, 100, 3.98, levelTolerance: 0).Level); // OpenSlide's strict rule
        Assert.Equal(slide.Levels.Count - 1, SlideRegionPlan.ForDownsample(slide, 0, 0, 2000, 1500, 100).Level);
        var last = slide.Levels[^1];
        var byLevel = SlideRegionPlan.ForLevel(slide, 0, 0, 2000, 1500, last.Index);
        Assert.False(byLevel.NeedsResampling);
        Assert.Equal((last.Width, last.Height), (byLevel.Width, byLevel.Height));
    }

    [SkippableFact]
    public void Mpp_and_magnification_choose_the_downsample()
    {
        using var slide = _fx.Open();
        var plan = SlideRegionPlan.ForMpp(slide, 0, 0, 1000, 1000, 900); // slide mpp (250+200)/2 = 225 → downsample 4
        Assert.Equal((4.0, 2), (plan.Downsample, plan.Level));
        Assert.Contains("objective power", Assert.Throws<SlideException>(() => SlideRegionPlan.ForMagnification(slide, 0, 0, 10, 10, 10)).Message);
        Assert.Contains("not inside the slide", Assert.Throws<ArgumentOutOfRangeException>(() => SlideRegionPlan.ForDownsample(slide, 1900, 0, 200, 10, 1)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => SlideRegionPlan.ForDownsample(slide, 0, 0, 10, 10, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => SlideRegionPlan.ForMpp(slide, 0, 0, 10, 10, double.NaN));
    }

    [SkippableFact]
    public void Resampled_working_raster_shows_the_shapes_where_the_mapping_puts_them()
    {
        using var slide = _fx.Open();
        var plan = SlideRegionPlan.ForDownsample(slide, 100, 150, 1800, 1300, 3);
        Assert.True(plan.NeedsResampling);
        Assert.Equal(1, plan.Level);
        var img = plan.Read(new CachedSlideReader(slide, new SlideTileCache()));
        Assert.Equal((plan.Width, plan.Height), (img.Width, img.Height));
        int bad = 0, n = 0;
        for (int v = 0; v < img.Height; v += 2)
            for (int u = 0; u < img.Width; u += 2)
            {
                var (x, y) = plan.ToLevel0(u + 0.5, v + 0.5);
                var e = SyntheticSlide.ExpectedColour((int)x, (int)y);
                // Only away from shape edges: JPEG's 2×-subsampled chroma rings up to ~16 level-1 pixels (32 level-0) from an edge.
                if (!SyntheticSlide.ExpectedColour((int)x - 36, (int)y - 36).SequenceEqual(e) || !SyntheticSlide.ExpectedColour((int)x + 36, (int)y + 36).SequenceEqual(e)
                    || !SyntheticSlide.ExpectedColour((int)x - 36, (int)y + 36).SequenceEqual(e) || !SyntheticSlide.ExpectedColour((int)x + 36, (int)y - 36).SequenceEqual(e)) continue;
                n++;
                int i = (v * img.Width + u) * 3;
                if (Math.Abs(img.Pixels[i] - e[0]) > 16 || Math.Abs(img.Pixels[i + 1] - e[1]) > 16 || Math.Abs(img.Pixels[i + 2] - e[2]) > 16) bad++;
            }
        Assert.True(n > 40_000, $"only {n} pixels checked");
        Assert.Equal(0, bad);
        // The red rectangle's left edge x = 200 lies at u = (200 - OriginX) / 3.
        var (edgeU, _) = plan.ToWorking(SyntheticSlide.Red.X0, 0);
        int row = (int)plan.ToWorking(0, 600).Y;
        Assert.True(img.Pixels[(row * img.Width + (int)Math.Floor(edgeU) - 3) * 3 + 1] > 200, "left of the red edge is white");
        Assert.True(img.Pixels[(row * img.Width + (int)Math.Ceiling(edgeU) + 3) * 3 + 1] < 60, "right of the red edge is red");
    }

    [SkippableFact]
    public void Tile_reads_of_the_working_raster_equal_the_whole_read()
    {
        using var slide = _fx.Open();
        var reader = new CachedSlideReader(slide, new SlideTileCache(), tileSize: 128);
        foreach (var d in new[] { 2.0, 3.0 })
        {
            var plan = SlideRegionPlan.ForDownsample(slide, 37, 41, 1500, 1100, d);
            var whole = plan.Read(slide);
            var rect = new PixelRect(70, 50, 100, 90);
            var part = plan.ReadWorking(reader, rect);
            Assert.Equal(whole.Crop(rect.X, rect.Y, rect.Width, rect.Height).Pixels, part.Pixels);
        }
        Assert.True(reader.Cache.Hits + reader.Cache.Misses > 0);
    }

    [SkippableFact]
    public void Coordinates_round_trip_level0_to_working_and_back()
    {
        using var slide = _fx.Open();
        var rng = new Random(3);
        foreach (var d in new[] { 1.0, 2.0, 2.5, 3.0, 4.0, 5.7, 8.0107 })
        {
            var plan = SlideRegionPlan.ForDownsample(slide, 123, 77, 1500, 1111, d);
            for (int i = 0; i < 200; i++)
            {
                double x = 123 + rng.NextDouble() * 1500, y = 77 + rng.NextDouble() * 1111;
                var (u, v) = plan.ToWorking(x, y);
                Assert.InRange(u, 0, plan.Width); Assert.InRange(v, 0, plan.Height);
                var (x2, y2) = plan.ToLevel0(u, v);
                Assert.Equal(x, x2, 9); Assert.Equal(y, y2, 9);

                // Pixels: a level-0 pixel's working pixel covers it; a working pixel's centre maps back to it.
                long px = 123 + rng.Next(1500), py = 77 + rng.Next(1111);
                var (wu, wv) = plan.Level0PixelToWorkingPixel(px, py);
                var r = plan.WorkingPixelToLevel0(wu, wv);
                Assert.InRange(px + 0.5, r.X, r.X + r.Width); Assert.InRange(py + 0.5, r.Y, r.Y + r.Height);
                var (cu, cv) = plan.ToWorking(r.X + r.Width / 2, r.Y + r.Height / 2);
                Assert.Equal((wu, wv), ((long)Math.Floor(cu), (long)Math.Floor(cv)));
            }
        }
    }

    [SkippableFact]
    public void Clicks_map_in_and_polygons_map_out()
    {
        using var slide = _fx.Open();
        var plan = SlideRegionPlan.ForDownsample(slide, 100, 200, 1600, 1200, 4);
        var click = (Click)plan.ToWorking(new Click(500.5, 600.5, true, Radius: 8));
        Assert.Equal(((500.5 - plan.OriginX) / 4, (600.5 - plan.OriginY) / 4, 2.0), (click.X, click.Y, click.Radius));
        var box = (Box)plan.ToWorking(new Box(200, 300, 800, 900));
        Assert.Equal((200 - plan.OriginX) / 4, box.X0);
        Assert.Throws<ArgumentException>(() => plan.ToWorking(new LabelImage(new byte[4], 2, 2)));

        // A working mask → level-0 polygons → back → the same mask; and the level-0 polygon outlines the drawn red rectangle.
        var mask = new Mask(plan.Width, plan.Height);
        var (u0, v0) = plan.ToWorking(SyntheticSlide.Red.X0, SyntheticSlide.Red.Y0);
        var (u1, v1) = plan.ToWorking(SyntheticSlide.Red.X1, SyntheticSlide.Red.Y1);
        for (int v = (int)v0; v < (int)v1; v++) for (int u = (int)u0; u < (int)u1; u++) mask.Data[v * plan.Width + u] = 1;
        var level0 = plan.PolygonsToLevel0(MaskPolygons.Trace(mask, 0));
        var xs = level0[0][0].Select(p => p[0]).ToArray(); var ys = level0[0][0].Select(p => p[1]).ToArray();
        Assert.Equal((200.0, 300.0, 800.0, 900.0), (xs.Min(), ys.Min(), xs.Max(), ys.Max()));
        Assert.Equal(mask.Data, MaskPolygons.Rasterize(plan.PolygonsToWorking(level0), plan.Width, plan.Height).Data);
    }
}
