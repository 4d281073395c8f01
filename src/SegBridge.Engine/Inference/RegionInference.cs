using System.Diagnostics;
using SegBridge.Imaging.Encodings;
using SegBridge.Imaging.Rasters;
using SegBridge.Imaging.Slides;
using SegBridge.Models;

namespace SegBridge.Engine.Inference;

/// <summary>Tiles finished so far out of the run's total.</summary>
public readonly record struct TileProgress(int Done, int Total);

/// <param name="Polygons">GeoJSON MultiPolygon coordinates in level-0 pixels.</param>
/// <param name="ForegroundPixels">Working pixels at or above the threshold, before clean-up.</param>
/// <param name="MaskBytes">What the run-length mask held at the end (it grows with the outlines, not the area).</param>
public sealed record RegionInferenceResult(double[][][][] Polygons, SlideRegionPlan Plan, int Tiles, long ForegroundPixels, long MaskBytes, string? Notes, double Seconds);

/// <summary>
/// Runs a <see cref="IRegionPredictor"/> over a slide region of any size at a working resolution: an overview
/// for the predictor's whole-region statistics, then overlapping tiles read through the (cached) reader,
/// blended seamlessly by <see cref="TileBlender"/> and thresholded row by row into a <see cref="RunLengthMask"/>,
/// traced into polygons with small objects and holes removed, mapped to level 0.
/// <para>
/// Memory is bounded independently of the region's area: the reader's tile cache (its capacity), one tile's
/// pixels and map, the blender's float strip (working width × tile height × 4 bytes), the overview (at most
/// OverviewSize² × 3 bytes), and the run-length mask, which grows with the length of the outlines. No
/// working-raster-sized array is ever allocated. Progress is reported after each tile; cancellation is
/// checked before each tile (and inside reads) and throws <see cref="OperationCanceledException"/>.
/// </para>
/// </summary>
public static class RegionInference
{
    public static RegionInferenceResult Run(SlideRegionPlan plan, ISlideLevelReader reader, IRegionPredictor predictor, double tolerance,
        IProgress<TileProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(predictor);
        var clock = Stopwatch.StartNew();
        var spec = predictor.Spec;
        var overview = spec.OverviewSize > 0 ? ReadOverview(plan, reader, spec.OverviewSize, cancellationToken) : null;
        var tiles = predictor.Prepare(overview, cancellationToken);
        overview = null; // not needed past Prepare

        var layout = new TiledRegion(plan, reader, spec.TileSize, Math.Min(spec.Overlap, spec.TileSize - 1));
        var sink = new RunLengthSink(plan.Width, plan.Height, spec.Threshold);
        var counter = progress is null ? null : new TileCounter(progress, layout.TileCount);
        TileBlender.Segment(layout, (rgb, _, ct) => tiles.Predict(rgb, ct), sink, BlendRamp.Cosine, counter, cancellationToken);

        // Clean-up areas are given in µm²; one working pixel covers (downsample · mpp)² µm². Without an mpp nothing is removed.
        double minObject = 0, minHole = 0;
        if (plan.Slide.MppX is double mx && plan.Slide.MppY is double my)
        {
            double pixelArea = plan.Downsample * mx * plan.Downsample * my;
            minObject = spec.MinObjectAreaUm2 / pixelArea;
            minHole = spec.MinHoleAreaUm2 / pixelArea;
        }
        var working = RunLengthTracer.Trace(sink.Mask, tolerance, minObject, minHole);
        return new RegionInferenceResult(ClampToRegion(plan.PolygonsToLevel0(working), plan), plan, layout.TileCount, sink.Mask.CountForeground(),
            sink.Mask.ApproximateBytes, tiles.Notes, clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// The plan's region at most <paramref name="size"/> pixels on its long side (never finer than the plan),
    /// assembled from reads small enough for the slide's per-read limit even when no coarse level exists.
    /// </summary>
    public static ImageRaster ReadOverview(SlideRegionPlan plan, ISlideLevelReader reader, int size, CancellationToken cancellationToken = default)
    {
        double downsample = Math.Max(plan.Downsample, Math.Max(plan.RequestedWidth, plan.RequestedHeight) / (double)size);
        var small = SlideRegionPlan.ForDownsample(plan.Slide, plan.RequestedX, plan.RequestedY, plan.RequestedWidth, plan.RequestedHeight, downsample);
        // Each tile needs (tile · level pixels per working pixel)² level pixels in one read.
        int tile = (int)Math.Clamp(Math.Floor(Math.Sqrt(plan.Slide.MaxRegionPixels) / Math.Ceiling(small.LevelPixelsPerWorkingPixel + 1)), 1, 1024);
        var layout = new TiledRegion(small, reader, tile, 0);
        var pixels = new byte[(long)small.Width * small.Height * 3];
        foreach (var t in layout.Tiles())
        {
            var part = layout.ReadTile(t, cancellationToken);
            for (int y = 0; y < t.Rect.Height; y++)
                Buffer.BlockCopy(part.Pixels, y * t.Rect.Width * 3, pixels, ((t.Rect.Y + y) * small.Width + t.Rect.X) * 3, t.Rect.Width * 3);
        }
        return new ImageRaster(small.Width, small.Height, 3, pixels);
    }

    /// <summary>
    /// The last working row and column may overhang the requested region (working pixels are D level-0 pixels
    /// wide and the region need not be a multiple of D); vertices out there are moved onto its edge so every
    /// polygon lies inside the region, and so inside the slide.
    /// </summary>
    private static double[][][][] ClampToRegion(double[][][][] polygons, SlideRegionPlan plan)
    {
        double x0 = plan.RequestedX, y0 = plan.RequestedY, x1 = x0 + plan.RequestedWidth, y1 = y0 + plan.RequestedHeight;
        foreach (var point in polygons.SelectMany(p => p).SelectMany(r => r))
        {
            point[0] = Math.Clamp(point[0], x0, x1);
            point[1] = Math.Clamp(point[1], y0, y1);
        }
        return polygons;
    }

    /// <summary>The blender reports a fraction; callers want tiles.</summary>
    private sealed class TileCounter(IProgress<TileProgress> target, int total) : IProgress<double>
    {
        public void Report(double fraction) => target.Report(new TileProgress((int)Math.Round(fraction * total), total));
    }
}
