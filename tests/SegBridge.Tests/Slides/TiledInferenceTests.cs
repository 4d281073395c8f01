using SegBridge.Engine.Inference;
using SegBridge.Imaging.Encodings;
using SegBridge.Imaging.Rasters;
using SegBridge.Imaging.Slides;
using SegBridge.Models.Guide;
using Xunit.Abstractions;

namespace SegBridge.Tests.Slides;

/// <summary>The engine's tiled guide-model runner on a vips-made slide of blobs: seams, clean-up, cancellation.</summary>
public sealed class TiledInferenceTests(BlobSlide blobs, ITestOutputHelper output) : IClassFixture<BlobSlide>
{
    private static TissueDetector Tissue(int tileSize, int overlap) => new(2, 0.05, 0.2, 20_000, 10_000, tileSize, overlap, 2);

    [SkippableFact]
    public void Many_small_tiles_give_the_mask_of_one_tile_covering_the_region()
    {
        using var slide = blobs.Open();
        var plan = SlideRegionPlan.ForDownsample(slide, 0, 0, slide.Width, slide.Height, 8); // 500×375: one 512 tile
        var reader = new CachedSlideReader(slide, new SlideTileCache(64L << 20));
        var whole = RegionInference.Run(plan, reader, Tissue(512, 32), 0);
        var tiled = RegionInference.Run(plan, reader, Tissue(96, 24), 0);
        Assert.Equal(1, whole.Tiles);
        Assert.True(tiled.Tiles >= 20, $"{tiled.Tiles} tiles");
        var a = Rasterize(whole.Polygons, plan);
        var b = Rasterize(tiled.Polygons, plan);
        long both = 0, either = 0;
        for (int i = 0; i < a.Data.Length; i++) { both += a.Data[i] & b.Data[i]; either += a.Data[i] | b.Data[i]; }
        double iou = (double)both / either;
        output.WriteLine($"{tiled.Tiles} tiles vs 1: IoU {iou:0.00000}, {either - both} of {either} pixels differ; {whole.Notes}");
        Assert.True(iou > 0.99, $"IoU {iou}");
    }

    [SkippableFact]
    public void Blobs_come_back_as_polygons_with_the_large_hole_kept_and_small_bits_cleaned_up()
    {
        using var slide = blobs.Open();
        var plan = SlideRegionPlan.ForDownsample(slide, 0, 0, slide.Width, slide.Height, 4);
        var result = RegionInference.Run(plan, new CachedSlideReader(slide, new SlideTileCache(64L << 20)), Tissue(256, 32), 0);
        Assert.Equal(2, result.Polygons.Length);                      // speck dropped
        var ellipse = result.Polygons.Single(p => p.Length == 1);     // its 20-pixel hole filled
        var ring = result.Polygons.Single(p => p.Length == 2);        // its 200-pixel hole kept
        var (cx, cy, rx, ry) = blobs.Ellipse;
        AssertBounds(ellipse[0], cx - rx, cy - ry, cx + rx, cy + ry, 6);
        var (rcx, rcy, r, hole) = blobs.Ring;
        AssertBounds(ring[0], rcx - r, rcy - r, rcx + r, rcy + r, 6);
        AssertBounds(ring[1], rcx - hole, rcy - hole, rcx + hole, rcy + hole, 6);
    }

    [SkippableFact]
    public void Cancelling_between_tiles_stops_the_run()
    {
        using var slide = blobs.Open();
        var plan = SlideRegionPlan.ForDownsample(slide, 0, 0, slide.Width, slide.Height, 2);
        using var cts = new CancellationTokenSource();
        var seen = new List<TileProgress>();
        var progress = SyncProgress.Create(p => { seen.Add(p); if (p.Done == 3) cts.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() =>
            RegionInference.Run(plan, new CachedSlideReader(slide, new SlideTileCache(64L << 20)), Tissue(256, 32), 0, progress, cts.Token));
        Assert.Equal(3, seen[^1].Done);
        Assert.True(seen[^1].Total > 20);
    }

    internal static Mask Rasterize(double[][][][] level0, SlideRegionPlan plan) => MaskPolygons.Rasterize(plan.PolygonsToWorking(level0), plan.Width, plan.Height);

    internal static void AssertBounds(double[][] ring, double x0, double y0, double x1, double y1, double tolerance)
    {
        Assert.InRange(ring.Min(p => p[0]), x0 - tolerance, x0 + tolerance);
        Assert.InRange(ring.Min(p => p[1]), y0 - tolerance, y0 + tolerance);
        Assert.InRange(ring.Max(p => p[0]), x1 - tolerance, x1 + tolerance);
        Assert.InRange(ring.Max(p => p[1]), y1 - tolerance, y1 + tolerance);
    }
}

/// <summary>IProgress that runs on the reporting thread (Progress&lt;T&gt; posts to the thread pool).</summary>
internal sealed class SyncProgress<T>(Action<T> action) : IProgress<T>
{
    public void Report(T value) => action(value);
}

internal static class SyncProgress
{
    public static SyncProgress<TileProgress> Create(Action<TileProgress> action) => new(action);
}
