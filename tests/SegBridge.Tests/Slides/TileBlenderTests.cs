using SegBridge.Imaging.Rasters;
using SegBridge.Imaging.Slides;

namespace SegBridge.Tests.Slides;

public class TileBlenderTests : IClassFixture<SyntheticSlide>
{
    private readonly SyntheticSlide _fx;
    public TileBlenderTests(SyntheticSlide fx) => _fx = fx;

    private sealed class FloatSink(int width, int height) : IBlendSink
    {
        public float[] Data { get; } = new float[width * height];
        public List<int> Rows { get; } = [];
        public void WriteRow(int y, ReadOnlySpan<float> row) { Rows.Add(y); row.CopyTo(Data.AsSpan(y * width, width)); }
    }

    private static float[] Map(RegionTile t, Func<int, int, float> f)
    {
        var m = new float[t.Rect.Width * t.Rect.Height];
        for (int y = 0; y < t.Rect.Height; y++) for (int x = 0; x < t.Rect.Width; x++) m[y * t.Rect.Width + x] = f(t.Rect.X + x, t.Rect.Y + y);
        return m;
    }

    [Theory]
    [InlineData(300, 200, 64, 16, BlendRamp.Linear)]
    [InlineData(300, 200, 64, 16, BlendRamp.Cosine)]
    [InlineData(257, 129, 64, 0, BlendRamp.Cosine)]
    [InlineData(1000, 77, 100, 60, BlendRamp.Cosine)] // heavy overlap: three tiles cover some pixels
    [InlineData(50, 40, 64, 8, BlendRamp.Linear)]     // smaller than one tile
    public void Constant_and_ramp_maps_come_back_unchanged(int w, int h, int tile, int overlap, BlendRamp ramp)
    {
        var layout = new TiledRegion(w, h, tile, overlap);
        var constant = new FloatSink(w, h);
        TileBlender.Blend(layout, (t, _) => Map(t, (_, _) => 0.6f), constant, ramp);
        Assert.All(constant.Data, v => Assert.Equal(0.6f, v, 5));
        Assert.Equal(Enumerable.Range(0, h), constant.Rows);

        var ramped = new FloatSink(w, h);
        TileBlender.Blend(layout, (t, _) => Map(t, (x, y) => (x + 2f * y) / 1000f), ramped, ramp);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) Assert.Equal((x + 2f * y) / 1000f, ramped.Data[y * w + x], 4);

        var bytes = new ProbabilityByteSink(w, h);
        TileBlender.Blend(layout, (t, _) => Map(t, (_, _) => 0.6f), bytes, ramp);
        Assert.All(bytes.Data, b => Assert.Equal(153, b));
    }

    [Fact]
    public void Layout_tiles_cover_the_region_with_at_least_the_overlap()
    {
        var layout = new TiledRegion(1000, 700, 256, 32);
        Assert.Equal([0, 224, 448, 672, 744], layout.Columns);
        Assert.Equal([0, 224, 444], layout.Rows);
        Assert.All(layout.Tiles(), t => Assert.Equal((256, 256), (t.Rect.Width, t.Rect.Height)));
        Assert.Equal(15, layout.TileCount);
        Assert.Throws<ArgumentOutOfRangeException>(() => new TiledRegion(100, 100, 64, 64));
        Assert.Throws<InvalidOperationException>(() => layout.ReadTile(layout.Tile(0, 0)));
    }

    [Fact]
    public void A_disagreeing_tile_border_leaves_no_seam_but_a_smooth_transition()
    {
        // Left tiles say 0, right tiles say 1: the overlap must ramp monotonically, not jump.
        var layout = new TiledRegion(192, 10, 128, 64);
        var sink = new FloatSink(192, 10);
        TileBlender.Blend(layout, (t, _) => Map(t, (_, _) => t.Column == 0 ? 0f : 1f), sink, BlendRamp.Linear);
        for (int x = 1; x < 192; x++) Assert.True(sink.Data[x] >= sink.Data[x - 1]);
        Assert.Equal(0f, sink.Data[63]); Assert.Equal(1f, sink.Data[128]);
        Assert.True(sink.Data[96] is > 0.4f and < 0.6f);
        for (int x = 64; x < 127; x++) Assert.True(sink.Data[x + 1] - sink.Data[x] < 0.02f, "no step inside the overlap");
    }

    [Fact]
    public void Progress_is_reported_and_cancellation_stops_between_tiles()
    {
        var layout = new TiledRegion(500, 500, 128, 16);
        var reports = new List<double>();
        TileBlender.Blend(layout, (t, _) => Map(t, (_, _) => 1f), new FloatSink(500, 500), progress: new SyncProgress(reports.Add));
        Assert.Equal(layout.TileCount, reports.Count);
        Assert.Equal(1.0, reports[^1]);
        Assert.True(reports.SequenceEqual(reports.Order()));

        using var cts = new CancellationTokenSource();
        int calls = 0;
        Assert.ThrowsAny<OperationCanceledException>(() => TileBlender.Blend(layout, (t, ct) =>
        {
            if (++calls == 3) cts.Cancel();
            return Map(t, (_, _) => 1f);
        }, new FloatSink(500, 500), cancellationToken: cts.Token));
        Assert.Equal(3, calls);
    }

    private sealed class SyncProgress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }

    [Fact]
    public void A_20000_square_region_is_blended_in_a_strip_not_a_whole_float_array()
    {
        var layout = new TiledRegion(20_000, 20_000, 1024, 64);
        var map = new float[1024 * 1024];
        Array.Fill(map, 0.9f);
        long rows = 0, ones = 0;
        var sink = new CountingSink(r => { rows++; foreach (var v in r) if (v >= 0.5f) ones++; });
        long before = GC.GetAllocatedBytesForCurrentThread();
        TileBlender.Blend(layout, (_, _) => map, sink);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(20_000, rows);
        Assert.Equal(20_000L * 20_000, ones);
        Assert.Equal(20_000L * 1024 * 4, TileBlender.StripBytes(layout));
        Assert.True(allocated < 200L << 20, $"allocated {allocated >> 20} MB; a whole float map would be {20_000L * 20_000 * 4 >> 20} MB");
    }

    private sealed class CountingSink(Action<ReadOnlySpan<float>> onRow) : IBlendSink
    {
        public void WriteRow(int y, ReadOnlySpan<float> row) => onRow(row);
    }

    [SkippableFact]
    public void Tiled_segmentation_of_a_slide_region_equals_segmenting_it_whole()
    {
        using var slide = _fx.Open();
        var cache = new SlideTileCache(64L << 20);
        var reader = new CachedSlideReader(slide, cache, tileSize: 256);
        var plan = SlideRegionPlan.ForDownsample(slide, 0, 0, 2000, 1500, 2);
        var region = new TiledRegion(plan, reader, tileSize: 192, overlap: 32);
        static float Red(byte[] px, int i) => px[i] > 150 && px[i + 1] < 100 && px[i + 2] < 100 ? 1f : 0f;

        var sink = new MaskSink(plan.Width, plan.Height);
        var progress = new List<double>();
        TileBlender.Segment(region, (img, _, _) =>
        {
            var m = new float[img.Width * img.Height];
            for (int i = 0; i < m.Length; i++) m[i] = Red(img.Pixels, i * 3);
            return m;
        }, sink, progress: new SyncProgress(progress.Add));

        var whole = plan.Read(slide);
        var expected = new byte[plan.Width * plan.Height];
        for (int i = 0; i < expected.Length; i++) expected[i] = (byte)Red(whole.Pixels, i * 3);
        Assert.Equal(expected, sink.Mask.Data);
        // And the mask is the red rectangle: 300×300 working pixels, give or take the JPEG edge.
        var box = sink.Mask.BoundingBox()!.Value;
        Assert.InRange(box.X, 99, 101); Assert.InRange(box.Y, 149, 151);
        Assert.InRange(box.Width, 298, 302); Assert.InRange(box.Height, 298, 302);
        Assert.Equal(1.0, progress[^1]);
        Assert.True(cache.Hits > 0, "overlapping tiles should hit the cache");
    }

    [SkippableFact]
    public void A_region_over_the_read_limit_is_refused_whole_but_segmented_in_tiles()
    {
        Skip.If(_fx.SkipReason is not null, _fx.SkipReason);
        using var slide = SlideImage.Open(_fx.TiffPath!, maxRegionPixels: 300 * 300);
        var plan = SlideRegionPlan.ForDownsample(slide, 0, 0, 2000, 1500, 1); // 3 million level-0 pixels
        var reader = new CachedSlideReader(slide, new SlideTileCache(16L << 20), tileSize: 256);
        Assert.Contains("TiledRegion", Assert.Throws<SlideException>(() => plan.Read(reader)).Message);
        var sink = new MaskSink(plan.Width, plan.Height);
        TileBlender.Segment(new TiledRegion(plan, reader, 256, 32), (img, _, _) =>
        {
            var m = new float[img.Width * img.Height];
            for (int i = 0; i < m.Length; i++) m[i] = img.Pixels[i * 3] > 150 && img.Pixels[i * 3 + 1] < 100 ? 1f : 0f;
            return m;
        }, sink);
        var box = sink.Mask.BoundingBox()!.Value;
        Assert.InRange(box.X, 198, 202); Assert.InRange(box.Y, 298, 302);
        Assert.InRange(box.Width, 596, 604); Assert.InRange(box.Height, 596, 604);
        Assert.InRange(sink.Mask.CountForeground(), 600 * 600 * 0.98, 600 * 600 * 1.02);
    }

    [Fact]
    public void Tile_cache_is_lru_and_bounded()
    {
        var cache = new SlideTileCache(capacityBytes: 300);
        var k = (int i) => new SlideTileCache.Key(1, 0, i, 0, 10);
        cache.Add(k(1), new byte[100]); cache.Add(k(2), new byte[100]); cache.Add(k(3), new byte[100]);
        Assert.True(cache.TryGet(k(1), out _));      // 1 is now most recent
        cache.Add(k(4), new byte[100]);              // evicts 2
        Assert.False(cache.TryGet(k(2), out _));
        Assert.True(cache.TryGet(k(3), out _)); Assert.True(cache.TryGet(k(4), out _));
        Assert.Equal(300, cache.SizeBytes);
        cache.Add(new SlideTileCache.Key(2, 0, 0, 0, 10), new byte[100]);
        cache.EvictSlide(1);
        Assert.Equal(1, cache.Count);
        Assert.Equal(100, cache.SizeBytes);
    }
}
