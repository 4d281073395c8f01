using SegBridge.Imaging.Rasters;

namespace SegBridge.Imaging.Encodings;

/// <summary>
/// Masks as GeoJSON MultiPolygon coordinates in image pixel coordinates: x right, y down, pixel
/// (x, y) covers [x, x+1]×[y, y+1]. One polygon per 4-connected foreground component (pixels that
/// touch only diagonally are separate), outer ring first, then its holes; rings are closed.
/// Orientation follows RFC 7946 read with y up: outer rings have a positive shoelace sum
/// Σ(x_i·y_{i+1} − x_{i+1}·y_i) on the raw coordinates, holes a negative one (see <see cref="CrackTracer"/>).
/// </summary>
public static class MaskPolygons
{
    /// <summary>
    /// tolerance 0: exact pixel-edge outlines with collinear vertices merged (rasterising gives the
    /// mask back exactly). tolerance &gt; 0: Douglas–Peucker per ring in pixels; rings that collapse
    /// are dropped, and a polygon whose outer ring collapses is dropped with its holes.
    /// </summary>
    public static double[][][][] Trace(Mask mask, double tolerance)
    {
        ArgumentNullException.ThrowIfNull(mask);
        if (!(tolerance >= 0) || double.IsInfinity(tolerance))
            throw new ArgumentOutOfRangeException(nameof(tolerance), $"tolerance must be a finite number >= 0, got {tolerance}");

        var outers = new SortedDictionary<int, double[][]>();
        var holes = new Dictionary<int, List<double[][]>>();
        foreach (var ring in CrackTracer.Trace(mask))
        {
            double[][]? points = ring.Points.Select(p => new double[] { p.X, p.Y }).ToArray();
            if (tolerance > 0) points = RingSimplifier.Simplify(points, tolerance);
            if (points == null) continue; // collapsed under simplification
            if (ring.DoubleArea > 0) outers[ring.Component] = points;
            else (holes.TryGetValue(ring.Component, out var list) ? list : holes[ring.Component] = []).Add(points);
        }

        return Assemble(outers, holes);
    }

    /// <summary>Polygons in component order: each outer ring followed by the holes of the same component.</summary>
    internal static double[][][][] Assemble(SortedDictionary<int, double[][]> outers, Dictionary<int, List<double[][]>> holes)
    {
        var polygons = new List<double[][][]>();
        foreach (var (component, outer) in outers)
        {
            var rings = new List<double[][]> { outer };
            if (holes.TryGetValue(component, out var own)) rings.AddRange(own);
            polygons.Add(rings.ToArray());
        }
        return polygons.ToArray();
    }

    /// <summary>Even-odd fill at pixel centres of each polygon, OR-ed together; for round trips and client polygons.</summary>
    public static Mask Rasterize(double[][][][] coordinates, int width, int height)
        => PolygonRasterizer.Fill(coordinates, width, height);
}
