using SegBridge.Imaging.Rasters;

namespace SegBridge.Imaging.Encodings;

/// <summary>
/// Even-odd scanline fill sampled at pixel centres (x + 0.5, y + 0.5). Each polygon (outer ring
/// plus holes) is filled with the even-odd rule on its own and the polygons are OR-ed, so
/// overlapping polygons from clients add up instead of cancelling. Rings need not repeat their
/// first point; a missing closing edge is implied.
/// </summary>
internal static class PolygonRasterizer
{
    public static Mask Fill(double[][][][] polygons, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(polygons);
        var mask = new Mask(width, height);
        var crossings = new List<double>();
        for (int p = 0; p < polygons.Length; p++)
        {
            var rings = polygons[p] ?? throw new ArgumentException($"polygon {p} is null", nameof(polygons));
            Validate(rings, p);
            double minY = double.PositiveInfinity, maxY = double.NegativeInfinity;
            foreach (var ring in rings) foreach (var pt in ring) { minY = Math.Min(minY, pt[1]); maxY = Math.Max(maxY, pt[1]); }
            // Clamp in double before converting so far-away coordinates cannot overflow int.
            int y0 = (int)Math.Clamp(Math.Floor(minY - 0.5), 0, height), y1 = (int)Math.Clamp(Math.Ceiling(maxY), -1, height - 1);
            for (int y = y0; y <= y1; y++)
            {
                double yc = y + 0.5;
                crossings.Clear();
                foreach (var ring in rings)
                    for (int i = 0; i < ring.Length; i++)
                    {
                        double[] a = ring[i], b = ring[(i + 1) % ring.Length];
                        // Half-open test so a vertex exactly on the scanline is counted once.
                        if ((a[1] <= yc) == (b[1] <= yc)) continue;
                        crossings.Add(a[0] + (yc - a[1]) * (b[0] - a[0]) / (b[1] - a[1]));
                    }
                crossings.Sort();
                for (int i = 0; i + 1 < crossings.Count; i += 2)
                {
                    // Pixel x is inside when its centre x + 0.5 lies in [left, right).
                    double left = Math.Ceiling(crossings[i] - 0.5), right = Math.Ceiling(crossings[i + 1] - 0.5);
                    int from = (int)Math.Clamp(left, 0, width), to = (int)Math.Clamp(right, 0, width);
                    for (int x = from; x < to; x++) mask.Data[(long)y * width + x] = 1;
                }
            }
        }
        return mask;
    }

    private static void Validate(double[][][] rings, int p)
    {
        for (int r = 0; r < rings.Length; r++)
        {
            if (rings[r] == null) throw new ArgumentException($"polygon {p} ring {r} is null");
            foreach (var pt in rings[r])
                if (pt == null || pt.Length < 2 || !double.IsFinite(pt[0]) || !double.IsFinite(pt[1]))
                    throw new ArgumentException($"polygon {p} ring {r} has a point that is not two finite numbers");
        }
    }
}
