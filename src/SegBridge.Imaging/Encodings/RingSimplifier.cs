namespace SegBridge.Imaging.Encodings;

/// <summary>
/// Douglas–Peucker on a closed ring. A closed ring has no natural end points, so it is split at
/// its first point and the point farthest from it, and each half is simplified on its own; every
/// dropped vertex then lies within the tolerance of the kept outline.
/// </summary>
internal static class RingSimplifier
{
    /// <summary>The simplified closed ring, or null when it collapses (fewer than 3 corners, zero area or flipped orientation).</summary>
    public static double[][]? Simplify(double[][] ring, double tolerance)
    {
        int n = ring.Length - 1; // distinct points; ring[n] repeats ring[0]
        if (n < 3) return null;
        int far = 1;
        double farDist = -1;
        for (int i = 1; i < n; i++)
        {
            double d = Math.Pow(ring[i][0] - ring[0][0], 2) + Math.Pow(ring[i][1] - ring[0][1], 2);
            if (d > farDist) { farDist = d; far = i; }
        }
        var keep = new bool[n + 1];
        keep[0] = keep[far] = keep[n] = true;
        MarkKept(ring, 0, far, tolerance, keep);
        MarkKept(ring, far, n, tolerance, keep);

        var result = new List<double[]>();
        for (int i = 0; i <= n; i++) if (keep[i]) result.Add(ring[i]);
        if (result.Count < 4) return null;
        double before = SignedArea(ring), after = SignedArea(result);
        if (after == 0 || Math.Sign(after) != Math.Sign(before)) return null;
        return result.ToArray();
    }

    /// <summary>Twice the shoelace area; positive for outer rings in image coordinates (see <see cref="CrackTracer"/>).</summary>
    public static double SignedArea(IReadOnlyList<double[]> ring)
    {
        double sum = 0;
        for (int i = 0; i + 1 < ring.Count; i++) sum += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
        return sum / 2;
    }

    // Iterative so that long rings (huge masks) cannot overflow the stack.
    private static void MarkKept(double[][] pts, int first, int last, double tolerance, bool[] keep)
    {
        var pending = new Stack<(int, int)>();
        pending.Push((first, last));
        while (pending.Count > 0)
        {
            var (a, b) = pending.Pop();
            int worst = -1;
            double worstDist = tolerance;
            for (int i = a + 1; i < b; i++)
            {
                double d = DistanceToSegment(pts[i], pts[a], pts[b]);
                if (d > worstDist) { worstDist = d; worst = i; }
            }
            if (worst < 0) continue;
            keep[worst] = true;
            pending.Push((a, worst));
            pending.Push((worst, b));
        }
    }

    private static double DistanceToSegment(double[] p, double[] a, double[] b)
    {
        double dx = b[0] - a[0], dy = b[1] - a[1];
        double len2 = dx * dx + dy * dy;
        double t = len2 == 0 ? 0 : Math.Clamp(((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2, 0, 1);
        double ex = a[0] + t * dx - p[0], ey = a[1] + t * dy - p[1];
        return Math.Sqrt(ex * ex + ey * ey);
    }
}
