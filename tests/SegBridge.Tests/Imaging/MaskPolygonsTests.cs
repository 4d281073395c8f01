using SegBridge.Imaging.Encodings;
using SegBridge.Imaging.Rasters;

namespace SegBridge.Tests.Imaging;

public class MaskPolygonsTests
{
    [Fact]
    public void Exact_trace_rasterises_back_to_random_masks()
    {
        var rng = new Random(12345);
        for (int t = 0; t < 400; t++)
        {
            int w = rng.Next(1, 40), h = rng.Next(1, 40);
            var mask = t % 2 == 0 ? MaskFactory.Random(rng, w, h, rng.NextDouble()) : MaskFactory.Blobby(rng, w, h);
            var polygons = MaskPolygons.Trace(mask, 0);
            Assert.Equal(mask.Data, MaskPolygons.Rasterize(polygons, w, h).Data);
            Assert.Equal(CountComponents4(mask), polygons.Length);
            AssertWellFormed(polygons);
        }
    }

    [Fact]
    public void Square_with_hole_and_island_in_the_hole()
    {
        var mask = MaskFactory.FromRows(
            "#######",
            "#.....#",
            "#.....#",
            "#..#..#",
            "#.....#",
            "#.....#",
            "#######");
        var polygons = MaskPolygons.Trace(mask, 0);
        Assert.Equal(2, polygons.Length);
        Assert.Equal(2, polygons[0].Length); // frame: outer + hole
        Assert.Single(polygons[1]);          // island
        Assert.Equal(Ring((0, 0), (7, 0), (7, 7), (0, 7)), polygons[0][0]);
        Assert.Equal(49, ShoelaceArea(polygons[0][0]));
        Assert.Equal(-25, ShoelaceArea(polygons[0][1]));
        Assert.Equal(Ring((3, 3), (4, 3), (4, 4), (3, 4)), polygons[1][0]);
        Assert.Equal(mask.Data, MaskPolygons.Rasterize(polygons, 7, 7).Data);
    }

    [Fact]
    public void Orientation_outer_positive_hole_negative_in_image_coordinates()
    {
        // In y-down image coordinates the outer ring runs (0,0)→(1,0)→(1,1)→(0,1): clockwise on
        // screen, counter-clockwise once the numbers are plotted with y up, as RFC 7946 wants.
        var single = MaskPolygons.Trace(MaskFactory.FromRows("#"), 0);
        Assert.Equal(Ring((0, 0), (1, 0), (1, 1), (0, 1)), single[0][0]);
        Assert.True(ShoelaceArea(single[0][0]) > 0);

        var rng = new Random(99);
        for (int t = 0; t < 50; t++)
            foreach (var polygon in MaskPolygons.Trace(MaskFactory.Blobby(rng, 30, 30), 0))
            {
                Assert.True(ShoelaceArea(polygon[0]) > 0);
                Assert.All(polygon.Skip(1), hole => Assert.True(ShoelaceArea(hole) < 0));
            }
    }

    [Fact]
    public void Diagonal_neighbours_are_separate_polygons()
    {
        var polygons = MaskPolygons.Trace(MaskFactory.FromRows("#.", ".#"), 0);
        Assert.Equal(2, polygons.Length);
        Assert.Equal(Ring((0, 0), (1, 0), (1, 1), (0, 1)), polygons[0][0]);
        Assert.Equal(Ring((1, 1), (2, 1), (2, 2), (1, 2)), polygons[1][0]);

        // A diamond of four pixels around an empty centre: four components, and the centre is not a hole.
        var diamond = MaskFactory.FromRows(".#.", "#.#", ".#.");
        var d = MaskPolygons.Trace(diamond, 0);
        Assert.Equal(4, d.Length);
        Assert.All(d, p => Assert.Single(p));

        var checker = MaskFactory.FromRows("#.#.#", ".#.#.", "#.#.#");
        Assert.Equal(8, MaskPolygons.Trace(checker, 0).Length);
    }

    [Fact]
    public void Ring_touching_itself_diagonally_becomes_outer_ring_plus_touching_hole()
    {
        // One 4-connected component whose boundary meets itself at the saddle vertex (2,2). Rather
        // than one self-touching ring (invalid for OGC/shapely), expect a hole touching the outer ring.
        var mask = MaskFactory.FromRows(
            "###.",
            "#.#.",
            "##.#",
            "...#");
        var polygons = MaskPolygons.Trace(mask, 0);
        Assert.Equal(2, polygons.Length);
        Assert.Equal(2, polygons[0].Length);
        Assert.Equal(8, ShoelaceArea(polygons[0][0]));
        Assert.Equal(-1, ShoelaceArea(polygons[0][1]));
        Assert.Equal(mask.Data, MaskPolygons.Rasterize(polygons, 4, 4).Data);
    }

    [Fact]
    public void Full_mask_is_the_image_rectangle_with_collinear_points_merged()
    {
        var full = new Mask(5, 3, Enumerable.Repeat((byte)1, 15).ToArray());
        var polygons = MaskPolygons.Trace(full, 0);
        Assert.Equal(Ring((0, 0), (5, 0), (5, 3), (0, 3)), Assert.Single(Assert.Single(polygons)));
        Assert.Empty(MaskPolygons.Trace(new Mask(5, 3), 0));
    }

    [Fact]
    public void Simplification_reduces_vertices_and_stays_within_tolerance()
    {
        var disk = MaskFactory.Disk(80, 80, 40, 40, 30);
        var exact = MaskPolygons.Trace(disk, 0);
        foreach (double tol in new[] { 0.5, 1.0, 2.0, 3.0 })
        {
            var simple = MaskPolygons.Trace(disk, tol);
            var ring = Assert.Single(Assert.Single(simple));
            // Below ~0.7 px the unit staircase of a pixel outline is still mostly "detail".
            int allowed = tol < 1 ? exact[0][0].Length - 10 : exact[0][0].Length / 2;
            Assert.True(ring.Length < allowed, $"tolerance {tol} kept {ring.Length} of {exact[0][0].Length} points");
            Assert.True(ring.Length >= 4);
            Assert.Equal(ring[0], ring[^1]);
            Assert.True(ShoelaceArea(ring) > 0);
            // Every exact corner lies within the tolerance of the simplified outline...
            foreach (var p in exact[0][0]) Assert.True(DistanceToRing(p, ring) <= tol + 1e-9);
            // ...so the area differs by at most tolerance × perimeter.
            double perimeter = Enumerable.Range(0, exact[0][0].Length - 1).Sum(i => Dist(exact[0][0][i], exact[0][0][i + 1]));
            Assert.InRange(Math.Abs(ShoelaceArea(ring) - ShoelaceArea(exact[0][0])), 0, tol * perimeter);
        }
    }

    [Fact]
    public void Simplification_drops_rings_that_collapse()
    {
        // A lone pixel and a one-pixel hole vanish at tolerance 2; the large square survives.
        var mask = new Mask(30, 30);
        for (int y = 5; y < 25; y++) for (int x = 5; x < 25; x++) mask.Data[y * 30 + x] = 1;
        mask.Data[15 * 30 + 15] = 0;
        mask.Data[1 * 30 + 1] = 1;
        Assert.Equal(2, MaskPolygons.Trace(mask, 0).Length);
        var simple = MaskPolygons.Trace(mask, 2);
        var polygon = Assert.Single(simple);
        Assert.Equal(Ring((5, 5), (25, 5), (25, 25), (5, 25)), Assert.Single(polygon));
    }

    [Fact]
    public void Rasterize_fills_client_polygons_at_pixel_centres()
    {
        // Triangle (0,0) (4,0) (0,4): pixel centres with x + y < 4 are inside.
        var tri = new[] { new[] { new[] { new[] { 0.0, 0 }, new[] { 4.0, 0 }, new[] { 0.0, 4 } } } };
        var m = MaskPolygons.Rasterize(tri, 5, 5);
        for (int y = 0; y < 5; y++)
            for (int x = 0; x < 5; x++)
                Assert.Equal(x + 0.5 + y + 0.5 < 4, m[x, y]);
        // Polygons partly outside the image are clipped, and overlapping polygons do not cancel.
        var big = new[] { Ring((-5, -5), (3, -5), (3, 3), (-5, 3)) };
        var overlap = MaskPolygons.Rasterize([big, big], 4, 4);
        Assert.Equal(9, overlap.CountForeground());
        Assert.Throws<ArgumentException>(() => MaskPolygons.Rasterize([[[[double.NaN, 0]]]], 4, 4));
    }

    private static void AssertWellFormed(double[][][][] polygons)
    {
        foreach (var polygon in polygons)
            foreach (var ring in polygon)
            {
                Assert.True(ring.Length >= 5); // pixel rings have at least 4 corners
                Assert.Equal(ring[0], ring[^1]);
                // Simple rings: no corner visited twice (rings may only touch other rings).
                Assert.Equal(ring.Length - 1, ring.Take(ring.Length - 1).Select(p => (p[0], p[1])).Distinct().Count());
                for (int i = 0; i + 1 < ring.Length; i++)
                {
                    var (a, b, c) = (ring[i], ring[i + 1], ring[(i + 2) % (ring.Length - 1)]);
                    bool horizontal1 = a[1] == b[1], horizontal2 = b[1] == c[1];
                    Assert.True(horizontal1 != horizontal2, "consecutive edges must turn (collinear vertices merged)");
                }
            }
    }

    private static double[][] Ring(params (double X, double Y)[] corners)
        => corners.Append(corners[0]).Select(c => new[] { c.X, c.Y }).ToArray();

    private static double ShoelaceArea(double[][] ring)
    {
        double s = 0;
        for (int i = 0; i + 1 < ring.Length; i++) s += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
        return s / 2;
    }

    private static double Dist(double[] a, double[] b) => Math.Sqrt(Math.Pow(a[0] - b[0], 2) + Math.Pow(a[1] - b[1], 2));

    private static double DistanceToRing(double[] p, double[][] ring)
    {
        double best = double.PositiveInfinity;
        for (int i = 0; i + 1 < ring.Length; i++)
        {
            double[] a = ring[i], b = ring[i + 1];
            double dx = b[0] - a[0], dy = b[1] - a[1], len2 = dx * dx + dy * dy;
            double t = len2 == 0 ? 0 : Math.Clamp(((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2, 0, 1);
            best = Math.Min(best, Dist(p, [a[0] + t * dx, a[1] + t * dy]));
        }
        return best;
    }

    private static int CountComponents4(Mask m)
    {
        var seen = new bool[m.Data.Length];
        int count = 0;
        for (int i = 0; i < seen.Length; i++)
        {
            if (m.Data[i] == 0 || seen[i]) continue;
            count++;
            var queue = new Queue<int>([i]);
            seen[i] = true;
            while (queue.Count > 0)
            {
                int p = queue.Dequeue(), x = p % m.Width, y = p / m.Width;
                foreach (var (nx, ny) in new[] { (x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1) })
                {
                    if (nx < 0 || ny < 0 || nx >= m.Width || ny >= m.Height) continue;
                    int q = ny * m.Width + nx;
                    if (m.Data[q] != 0 && !seen[q]) { seen[q] = true; queue.Enqueue(q); }
                }
            }
        }
        return count;
    }
}
