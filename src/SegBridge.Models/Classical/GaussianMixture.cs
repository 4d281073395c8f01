namespace SegBridge.Models.Classical;

/// <summary>
/// A full-covariance Gaussian mixture over colours (1 or 3 dimensions, 0–255 units), fitted the
/// GrabCut way: k-means clusters, then one Gaussian per cluster weighted by its size. Hard
/// assignment is robust with the few hundred pixels a scribble gives, where EM can collapse.
/// </summary>
public sealed class GaussianMixture
{
    /// <summary>Added to covariance diagonals (≈ 2 grey levels of std): a flat scribble region otherwise gives a singular covariance.</summary>
    public const double VarianceFloor = 4.0;
    /// <summary>Points used for k-means; more only slow the fit without changing it much.</summary>
    public const int MaxClusteringPoints = 20000;

    private readonly int _dims;
    private readonly List<Component> _components = [];

    private sealed record Component(double LogWeightAndNorm, double[] Mean, double[] InverseCholesky);

    public int ComponentCount => _components.Count;

    /// <param name="samples">Row-major colours, <paramref name="dims"/> values each; needs at least one sample.</param>
    public GaussianMixture(double[] samples, int dims, int components)
    {
        _dims = dims;
        int n = samples.Length / dims;
        if (n == 0) throw new ArgumentException("a colour model needs at least one sample", nameof(samples));
        // Subsample evenly (deterministic) for clustering, then assign all samples to the nearest centre.
        int stride = Math.Max(1, n / MaxClusteringPoints);
        var subset = new double[((n + stride - 1) / stride) * dims];
        for (int i = 0, s = 0; i < n; i += stride, s++) Array.Copy(samples, i * dims, subset, s * dims, dims);
        int k = Math.Clamp(Math.Min(components, n / 10), 1, components);
        var subsetAssign = KMeans.Cluster(subset, dims, k);
        var centres = MeansOf(subset, subsetAssign, k);
        var used = new bool[k];
        foreach (var c in subsetAssign) used[c] = true;
        var assign = new int[n];
        for (int i = 0; i < n; i++) assign[i] = Nearest(samples, i, centres, used);
        Fit(samples, assign, k);
    }

    /// <summary>log p(colour) under the mixture.</summary>
    public double LogDensity(ReadOnlySpan<double> colour)
    {
        double best = double.NegativeInfinity;
        Span<double> terms = stackalloc double[_components.Count];
        for (int c = 0; c < _components.Count; c++)
        {
            var comp = _components[c];
            // Mahalanobis distance through the inverse Cholesky factor (lower triangular).
            double m = 0;
            for (int r = 0; r < _dims; r++)
            {
                double v = 0;
                for (int q = 0; q <= r; q++) v += comp.InverseCholesky[r * _dims + q] * (colour[q] - comp.Mean[q]);
                m += v * v;
            }
            terms[c] = comp.LogWeightAndNorm - 0.5 * m;
            if (terms[c] > best) best = terms[c];
        }
        double sum = 0;
        foreach (var t in terms) sum += Math.Exp(t - best);
        return best + Math.Log(sum);
    }

    private void Fit(double[] samples, int[] assign, int k)
    {
        int d = _dims, n = assign.Length;
        var counts = new int[k];
        var means = MeansOf(samples, assign, k);
        var cov = new double[k * d * d];
        for (int i = 0; i < n; i++)
        {
            int c = assign[i]; counts[c]++;
            for (int r = 0; r < d; r++)
                for (int q = 0; q < d; q++)
                    cov[(c * d + r) * d + q] += (samples[i * d + r] - means[c * d + r]) * (samples[i * d + q] - means[c * d + q]);
        }
        for (int c = 0; c < k; c++)
        {
            if (counts[c] == 0) continue;
            var sigma = new double[d * d];
            for (int r = 0; r < d; r++)
                for (int q = 0; q < d; q++)
                    sigma[r * d + q] = cov[(c * d + r) * d + q] / counts[c] + (r == q ? VarianceFloor : 0);
            var (invChol, logDet) = InverseCholesky(sigma, d);
            double logNorm = Math.Log(counts[c] / (double)n) - 0.5 * (d * Math.Log(2 * Math.PI) + logDet);
            _components.Add(new Component(logNorm, means.AsSpan(c * d, d).ToArray(), invChol));
        }
    }

    /// <summary>L⁻¹ for Σ = L Lᵀ, and log det Σ. Σ is positive definite thanks to the variance floor.</summary>
    private static (double[] InverseL, double LogDet) InverseCholesky(double[] s, int d)
    {
        var l = new double[d * d];
        double logDet = 0;
        for (int r = 0; r < d; r++)
            for (int q = 0; q <= r; q++)
            {
                double v = s[r * d + q];
                for (int t = 0; t < q; t++) v -= l[r * d + t] * l[q * d + t];
                if (r == q) { v = Math.Sqrt(Math.Max(v, 1e-9)); l[r * d + r] = v; logDet += 2 * Math.Log(v); }
                else l[r * d + q] = v / l[q * d + q];
            }
        var inv = new double[d * d];
        for (int col = 0; col < d; col++)
            for (int r = col; r < d; r++)
            {
                double v = r == col ? 1 : 0;
                for (int t = col; t < r; t++) v -= l[r * d + t] * inv[t * d + col];
                inv[r * d + col] = v / l[r * d + r];
            }
        return (inv, logDet);
    }

    private static double[] MeansOf(double[] points, int[] assign, int k)
    {
        int d = points.Length / Math.Max(1, assign.Length);
        var means = new double[k * d];
        var counts = new int[k];
        for (int i = 0; i < assign.Length; i++)
        {
            counts[assign[i]]++;
            for (int r = 0; r < d; r++) means[assign[i] * d + r] += points[i * d + r];
        }
        for (int c = 0; c < k; c++)
            if (counts[c] > 0) for (int r = 0; r < d; r++) means[c * d + r] /= counts[c];
        return means;
    }

    /// <summary>Nearest centre among the clusters k-means actually used (an empty one has no real centre).</summary>
    private static int Nearest(double[] p, int i, double[] centres, bool[] used)
    {
        int k = used.Length, d = centres.Length / k, best = 0;
        double bestD = double.MaxValue;
        for (int c = 0; c < k; c++)
        {
            if (!used[c]) continue;
            double s = 0;
            for (int r = 0; r < d; r++) { double v = p[i * d + r] - centres[c * d + r]; s += v * v; }
            if (s < bestD) { bestD = s; best = c; }
        }
        return best;
    }
}
