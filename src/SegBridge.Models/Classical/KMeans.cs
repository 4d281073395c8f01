namespace SegBridge.Models.Classical;

/// <summary>
/// Lloyd's k-means on small-dimension points (colours), k-means++ seeding with a fixed random seed
/// so that the same image and seeds always give the same mask.
/// </summary>
public static class KMeans
{
    /// <param name="points">Row-major, <paramref name="dims"/> values per point.</param>
    /// <returns>Cluster index per point; clusters may come out empty when points repeat.</returns>
    public static int[] Cluster(double[] points, int dims, int k, int iterations = 10, int seed = 12345)
    {
        int n = points.Length / dims;
        if (n == 0) return [];
        k = Math.Min(k, n);
        var rng = new Random(seed);
        var centres = new double[k * dims];
        var nearest = new double[n];
        Array.Copy(points, rng.Next(n) * dims, centres, 0, dims);
        for (int i = 0; i < n; i++) nearest[i] = Dist2(points, i, centres, 0, dims);
        for (int c = 1; c < k; c++)
        {
            double total = 0;
            foreach (var d in nearest) total += d;
            int pick = 0;
            if (total > 0)
            {
                double target = rng.NextDouble() * total, acc = 0;
                for (pick = 0; pick < n - 1; pick++) { acc += nearest[pick]; if (acc >= target) break; }
            }
            Array.Copy(points, pick * dims, centres, c * dims, dims);
            for (int i = 0; i < n; i++) nearest[i] = Math.Min(nearest[i], Dist2(points, i, centres, c, dims));
        }

        var assign = new int[n];
        var sums = new double[k * dims];
        var counts = new int[k];
        for (int it = 0; it < iterations; it++)
        {
            bool changed = it == 0;
            for (int i = 0; i < n; i++)
            {
                int best = 0; double bestD = double.MaxValue;
                for (int c = 0; c < k; c++)
                {
                    double d = Dist2(points, i, centres, c, dims);
                    if (d < bestD) { bestD = d; best = c; }
                }
                if (assign[i] != best) { assign[i] = best; changed = true; }
            }
            if (!changed) break;
            Array.Clear(sums); Array.Clear(counts);
            for (int i = 0; i < n; i++)
            {
                counts[assign[i]]++;
                for (int d = 0; d < dims; d++) sums[assign[i] * dims + d] += points[i * dims + d];
            }
            for (int c = 0; c < k; c++)
                if (counts[c] > 0)
                    for (int d = 0; d < dims; d++) centres[c * dims + d] = sums[c * dims + d] / counts[c];
        }
        return assign;
    }

    private static double Dist2(double[] p, int i, double[] centres, int c, int dims)
    {
        double s = 0;
        for (int d = 0; d < dims; d++) { double v = p[i * dims + d] - centres[c * dims + d]; s += v * v; }
        return s;
    }
}
