using SegBridge.Imaging.Rasters;

namespace SegBridge.Imaging.Interactions;

/// <summary>
/// Turns a session's interactions into per-pixel seed labels. Interactions are painted in order,
/// so a later one overwrites an earlier one on the pixels they share (a correction wins).
/// Geometry is tested at pixel centres (x + 0.5, y + 0.5); everything is clipped to the image.
/// </summary>
public static class SeedRasterizer
{
    public static SeedMap Rasterize(IReadOnlyList<Interaction> interactions, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"seed map size {width}x{height} must be positive");
        var seeds = new SeedMap(width, height);
        foreach (var interaction in interactions)
        {
            switch (interaction)
            {
                case Click c: PaintClick(seeds, c); break;
                case Scribble s: PaintScribble(seeds, s); break;
                case LabelImage l: PaintLabels(seeds, l); break;
                case Box b: PaintOutsideBox(seeds, b); break;
                // Each extreme point lies on the object: a one-pixel foreground seed.
                case ExtremePoints e: foreach (var p in e.Points) PaintClick(seeds, new Click(p.X, p.Y, true)); break;
                case null: throw new ArgumentException("interaction list contains null", nameof(interactions));
                default: throw new ArgumentException($"unsupported interaction {interaction.GetType().Name}", nameof(interactions));
            }
        }
        return seeds;
    }

    private static byte LabelOf(Interaction i) => i.Positive ? SeedMap.Foreground : SeedMap.Background;

    private static void PaintClick(SeedMap seeds, Click c)
    {
        RequireFinite(c.X, c.Y, "click");
        if (!(c.Radius >= 0) || double.IsInfinity(c.Radius)) throw new ArgumentException($"click radius {c.Radius} must be a finite number >= 0");
        PaintCapsule(seeds, c.X, c.Y, c.X, c.Y, c.Radius, LabelOf(c));
    }

    private static void PaintScribble(SeedMap seeds, Scribble s)
    {
        if (s.Points is null || s.Points.Count == 0) throw new ArgumentException("scribble has no points");
        if (!(s.Width >= 0) || double.IsInfinity(s.Width)) throw new ArgumentException($"scribble width {s.Width} must be a finite number >= 0");
        foreach (var p in s.Points) RequireFinite(p.X, p.Y, "scribble point");
        // A radius of at least half a pixel keeps thin strokes free of gaps: every pixel column
        // (or row) a segment crosses then has a centre within reach.
        double radius = Math.Max(s.Width / 2, 0.5);
        byte label = LabelOf(s);
        if (s.Points.Count == 1) { PaintCapsule(seeds, s.Points[0].X, s.Points[0].Y, s.Points[0].X, s.Points[0].Y, radius, label); return; }
        for (int i = 1; i < s.Points.Count; i++)
            PaintCapsule(seeds, s.Points[i - 1].X, s.Points[i - 1].Y, s.Points[i].X, s.Points[i].Y, radius, label);
    }

    private static void PaintLabels(SeedMap seeds, LabelImage l)
    {
        if (l.Width != seeds.Width || l.Height != seeds.Height)
            throw new ArgumentException($"label image is {l.Width}x{l.Height}, the image is {seeds.Width}x{seeds.Height}");
        if (l.Labels is null || l.Labels.LongLength != (long)seeds.Width * seeds.Height)
            throw new ArgumentException($"label image buffer has {l.Labels?.LongLength ?? 0} bytes, expected {(long)seeds.Width * seeds.Height}");
        var dst = seeds.Labels;
        for (long i = 0; i < dst.LongLength; i++)
        {
            byte v = l.Labels[i];
            if (v > SeedMap.Background)
                throw new ArgumentException($"label image value {v} at pixel ({i % seeds.Width}, {i / seeds.Width}) is not 0 (unlabelled), 1 (foreground) or 2 (background)");
            if (v != SeedMap.Unlabelled) dst[i] = v;
        }
    }

    private static void PaintOutsideBox(SeedMap seeds, Box b)
    {
        RequireFinite(b.X0, b.Y0, "box corner");
        RequireFinite(b.X1, b.Y1, "box corner");
        if (b.X1 <= b.X0 || b.Y1 <= b.Y0) throw new ArgumentException($"box ({b.X0},{b.Y0})-({b.X1},{b.Y1}) is empty");
        int w = seeds.Width;
        for (int y = 0; y < seeds.Height; y++)
        {
            double cy = y + 0.5;
            bool rowInside = cy >= b.Y0 && cy < b.Y1;
            for (int x = 0; x < w; x++)
            {
                double cx = x + 0.5;
                if (!(rowInside && cx >= b.X0 && cx < b.X1)) seeds.Labels[y * w + x] = SeedMap.Background;
            }
        }
    }

    /// <summary>
    /// Pixels whose centre lies within <paramref name="radius"/> of the segment (a capsule), plus the
    /// pixels containing both end points so that a radius-0 click still marks the pixel it hit.
    /// </summary>
    private static void PaintCapsule(SeedMap seeds, double ax, double ay, double bx, double by, double radius, byte label)
    {
        int w = seeds.Width, h = seeds.Height;
        int x0 = Math.Max(0, (int)Math.Floor(Math.Min(ax, bx) - radius - 1));
        int x1 = Math.Min(w - 1, (int)Math.Ceiling(Math.Max(ax, bx) + radius + 1));
        int y0 = Math.Max(0, (int)Math.Floor(Math.Min(ay, by) - radius - 1));
        int y1 = Math.Min(h - 1, (int)Math.Ceiling(Math.Max(ay, by) + radius + 1));
        double dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy, r2 = radius * radius;
        for (int y = y0; y <= y1; y++)
        {
            for (int x = x0; x <= x1; x++)
            {
                double px = x + 0.5 - ax, py = y + 0.5 - ay;
                double t = len2 > 0 ? Math.Clamp((px * dx + py * dy) / len2, 0, 1) : 0;
                double ex = px - t * dx, ey = py - t * dy;
                if (ex * ex + ey * ey <= r2) seeds.Labels[y * w + x] = label;
            }
        }
        PaintContainingPixel(seeds, ax, ay, label);
        PaintContainingPixel(seeds, bx, by, label);
    }

    private static void PaintContainingPixel(SeedMap seeds, double x, double y, byte label)
    {
        if (x < 0 || y < 0 || x >= seeds.Width || y >= seeds.Height) return;
        seeds.Labels[(int)y * seeds.Width + (int)x] = label;
    }

    private static void RequireFinite(double x, double y, string what)
    {
        if (!double.IsFinite(x) || !double.IsFinite(y)) throw new ArgumentException($"{what} ({x}, {y}) is not a finite position");
    }
}
