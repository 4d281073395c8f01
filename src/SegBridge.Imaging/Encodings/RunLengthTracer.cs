namespace SegBridge.Imaging.Encodings;

/// <summary>
/// Polygons from a <see cref="RunLengthMask"/> without ever building its raster: the same crack walk as
/// <see cref="CrackTracer"/> (pixel-edge rings, outer rings with a positive shoelace sum, holes negative,
/// the same saddle rule), but pixels are looked up in the runs and horizontal stretches are crossed in one
/// jump to the next run boundary. Every ring has at least one left run edge, and every run edge lies on
/// exactly one ring, so starting a walk at each unused left edge finds every ring once. Work and memory grow
/// with the outline length, not the area.
/// </summary>
public static class RunLengthTracer
{
    private const int East = 0, South = 1, West = 2, North = 3;

    /// <summary>
    /// GeoJSON MultiPolygon coordinates (working pixels), as <see cref="MaskPolygons.Trace"/> would give for
    /// the same mask, after dropping components whose outer ring encloses less than
    /// <paramref name="minObjectArea"/> pixels and holes smaller than <paramref name="minHoleArea"/> pixels
    /// (the polygon form of remove_small_objects / remove_small_holes), then Douglas–Peucker with
    /// <paramref name="tolerance"/> (0 = exact).
    /// </summary>
    public static double[][][][] Trace(RunLengthMask mask, double tolerance = 0, double minObjectArea = 0, double minHoleArea = 0)
    {
        ArgumentNullException.ThrowIfNull(mask);
        if (!(tolerance >= 0) || double.IsInfinity(tolerance))
            throw new ArgumentOutOfRangeException(nameof(tolerance), $"tolerance must be a finite number >= 0, got {tolerance}");
        var used = new bool[2L * mask.RunCount]; // [2r] left edge of run r, [2r+1] right edge
        var outers = new SortedDictionary<int, double[][]>();
        var holes = new Dictionary<int, List<double[][]>>();
        for (int y = 0; y < mask.RowsAdded; y++)
            for (int r = mask.FirstRun(y); r < mask.EndRun(y); r++)
            {
                if (used[2 * r]) continue;
                var (corners, doubleArea) = Walk(mask, used, mask.RunStart(r), y + 1);
                int component = mask.Component(r);
                bool outer = doubleArea > 0;
                if (Math.Abs(doubleArea) / 2.0 < (outer ? minObjectArea : minHoleArea)) continue;
                double[][]? points = corners.Select(p => new double[] { p.X, p.Y }).ToArray();
                if (tolerance > 0) points = RingSimplifier.Simplify(points, tolerance);
                if (points is null) continue;
                if (outer) outers[component] = points;
                else (holes.TryGetValue(component, out var list) ? list : holes[component] = []).Add(points);
            }
        return MaskPolygons.Assemble(outers, holes);
    }

    /// <summary>Follows one ring from the bottom end of a run's left edge, going north; returns its corners (closed) and doubled signed area.</summary>
    private static (List<(int X, int Y)> Corners, long DoubleArea) Walk(RunLengthMask mask, bool[] used, int startX, int startY)
    {
        var corners = new List<(int X, int Y)>();
        int x = startX, y = startY, dir = North;
        do
        {
            // Traverse the edge leaving (x, y) in dir; horizontal edges run to the next run boundary at once.
            int nx = x, ny = y;
            switch (dir)
            {
                case North:
                    used[2 * mask.RunAt(x, y - 1)] = true; ny = y - 1; break;
                case South:
                    used[2 * mask.RunAt(x - 1, y) + 1] = true; ny = y + 1; break;
                case East:
                    nx = Math.Min(mask.NextBoundary(y, x), mask.NextBoundary(y - 1, x)); break;
                default:
                    nx = Math.Max(mask.PreviousBoundary(y, x), mask.PreviousBoundary(y - 1, x)); break;
            }
            int turn = NextDirection(mask, nx, ny, dir);
            if (turn != dir) corners.Add((nx, ny));
            x = nx; y = ny; dir = turn;
        } while (x != startX || y != startY || dir != North);
        corners.Insert(0, corners[^1]);
        long sum = 0;
        for (int i = 0; i + 1 < corners.Count; i++) sum += (long)corners[i].X * corners[i + 1].Y - (long)corners[i + 1].X * corners[i].Y;
        return (corners, sum);
    }

    /// <summary>The way out of vertex (x, y) arriving in direction <paramref name="arrival"/>; the saddle rule is <see cref="CrackTracer"/>'s.</summary>
    private static int NextDirection(RunLengthMask mask, int x, int y, int arrival)
    {
        int tl = mask.RunAt(x - 1, y - 1), tr = mask.RunAt(x, y - 1), bl = mask.RunAt(x - 1, y), br = mask.RunAt(x, y);
        int outgoing = 0;
        if (br >= 0 && tr < 0) outgoing |= 1 << East;
        if (bl >= 0 && br < 0) outgoing |= 1 << South;
        if (tl >= 0 && bl < 0) outgoing |= 1 << West;
        if (tr >= 0 && tl < 0) outgoing |= 1 << North;
        int left = (arrival + 1) & 3, right = (arrival + 3) & 3;
        bool hasLeft = (outgoing & (1 << left)) != 0, hasRight = (outgoing & (1 << right)) != 0;
        if (hasLeft && hasRight)
        {
            // Saddle: cross over when the two diagonal pixels are one component (outer ring + touching hole), else hug.
            bool same = tl >= 0 ? mask.Component(tl) == mask.Component(br) : mask.Component(tr) == mask.Component(bl);
            return same ? right : left;
        }
        if (hasLeft) return left;
        if ((outgoing & (1 << arrival)) != 0) return arrival;
        if (hasRight) return right;
        throw new InvalidOperationException("run-length tracer reached a dead end; the runs are inconsistent");
    }
}
