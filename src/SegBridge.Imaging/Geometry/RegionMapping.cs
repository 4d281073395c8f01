using SegBridge.Imaging.Interactions;

namespace SegBridge.Imaging.Geometry;

/// <summary>
/// Maps between image coordinates (level 0 for a slide) and a working raster that covers a region of
/// the image at a downsample: working = (image − Origin) / Downsample. Continuous, pixel-edge convention
/// (pixel (x, y) covers [x, x+1)×[y, y+1)). A plain image seen whole is the identity mapping.
/// </summary>
public sealed record RegionMapping(double OriginX, double OriginY, double Downsample)
{
    public static RegionMapping Identity { get; } = new(0, 0, 1);

    public (double X, double Y) ToWorking(double x, double y) => ((x - OriginX) / Downsample, (y - OriginY) / Downsample);

    private PointD ToWorking(PointD p) { var (u, v) = ToWorking(p.X, p.Y); return new PointD(u, v); }

    public (double X, double Y) ToImage(double u, double v) => (OriginX + u * Downsample, OriginY + v * Downsample);

    /// <summary>An interaction given in image coordinates, in working coordinates (radius and width scale with 1/Downsample).</summary>
    public Interaction ToWorking(Interaction interaction)
    {
        switch (interaction)
        {
            case Click c:
                var (cx, cy) = ToWorking(c.X, c.Y);
                return c with { X = cx, Y = cy, Radius = c.Radius / Downsample };
            case Scribble s:
                return s with { Points = s.Points.Select(ToWorking).ToArray(), Width = s.Width / Downsample };
            case ExtremePoints e:
                return new ExtremePoints(e.Points.Select(ToWorking).ToArray());
            case Box b:
                var (x0, y0) = ToWorking(b.X0, b.Y0);
                var (x1, y1) = ToWorking(b.X1, b.Y1);
                return new Box(x0, y0, x1, y1);
            case null: throw new ArgumentNullException(nameof(interaction));
            default: throw new ArgumentException($"{interaction.GetType().Name} has no image-coordinate form to map; give it in working-raster pixels", nameof(interaction));
        }
    }

    /// <summary>GeoJSON MultiPolygon coordinates on the working raster → image coordinates.</summary>
    public double[][][][] PolygonsToImage(double[][][][] working) => Map(working, ToImage);

    /// <summary>GeoJSON MultiPolygon coordinates in image coordinates → working raster.</summary>
    public double[][][][] PolygonsToWorking(double[][][][] image) => Map(image, ToWorking);

    private static double[][][][] Map(double[][][][] polygons, Func<double, double, (double, double)> f)
    {
        ArgumentNullException.ThrowIfNull(polygons);
        return polygons.Select(poly => poly.Select(ring => ring.Select(p =>
        {
            var (x, y) = f(p[0], p[1]);
            return new[] { x, y };
        }).ToArray()).ToArray()).ToArray();
    }
}
