namespace SegBridge.Models.Classical;

/// <summary>
/// Solves the random walker's Dirichlet problem L_U x = -B m on a 4-connected grid without
/// building a matrix: Jacobi-preconditioned conjugate gradient where the Laplacian is applied
/// stencil-wise. Seeded pixels are fixed (1 foreground, 0 background) and excluded from the system.
/// </summary>
public sealed class GridDirichletSolver
{
    private readonly int _w, _h, _n;
    // Per-pixel couplings to the four neighbours, zero for seeded pixels and off-grid neighbours,
    // so the stencil loop needs no branches.
    private readonly float[] _cE, _cW, _cN, _cS, _invDiag, _diag;
    private readonly double[] _b;

    public int Iterations { get; private set; }
    public double RelativeResidual { get; private set; }

    /// <param name="east">Weight of edge (i, i+1).</param>
    /// <param name="south">Weight of edge (i, i+width).</param>
    /// <param name="fixedValue">NaN for unknown pixels, else the seed's fixed probability.</param>
    public GridDirichletSolver(int width, int height, float[] east, float[] south, float[] fixedValue)
    {
        _w = width; _h = height; _n = width * height;
        _cE = new float[_n]; _cW = new float[_n]; _cN = new float[_n]; _cS = new float[_n];
        _diag = new float[_n]; _invDiag = new float[_n]; _b = new double[_n];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int i = y * width + x;
                if (!float.IsNaN(fixedValue[i])) continue;
                double d = 0, b = 0;
                if (x + 1 < width) Couple(ref _cE[i], east[i], fixedValue[i + 1], ref d, ref b);
                if (x > 0) Couple(ref _cW[i], east[i - 1], fixedValue[i - 1], ref d, ref b);
                if (y > 0) Couple(ref _cN[i], south[i - width], fixedValue[i - width], ref d, ref b);
                if (y + 1 < height) Couple(ref _cS[i], south[i], fixedValue[i + width], ref d, ref b);
                _diag[i] = (float)d; _invDiag[i] = d > 0 ? (float)(1 / d) : 0; _b[i] = b;
            }
    }

    // A seeded neighbour moves its term to the right-hand side; an unknown one stays in the stencil.
    private static void Couple(ref float coupling, float weight, float neighbourFixed, ref double degree, ref double rhs)
    {
        degree += weight;
        if (float.IsNaN(neighbourFixed)) coupling = weight;
        else rhs += weight * neighbourFixed;
    }

    /// <summary>
    /// Iterates until ‖r‖ ≤ tolerance·‖b‖ (scipy's cg convention, as in scikit-image) or maxIterations.
    /// <paramref name="x"/> holds the start guess at unknown pixels and receives the solution there.
    /// </summary>
    public void Solve(float[] x, double tolerance, int maxIterations, CancellationToken cancellationToken)
    {
        int n = _n, w = _w;
        // Vectors are padded by one row on each side so the stencil can read i±1, i±w at the edges
        // (the matching couplings are zero there).
        var p = new double[n + 2 * w];
        var r = new double[n];
        var ap = new double[n];
        var xs = new double[n];
        double bNorm = 0, rz = 0;
        for (int i = 0; i < n; i++) { bNorm += _b[i] * _b[i]; xs[i] = _diag[i] > 0 ? x[i] : 0; }
        bNorm = Math.Sqrt(bNorm);
        if (bNorm == 0) bNorm = 1;

        // r = b - A x0, z = D⁻¹ r, p = z
        Array.Copy(xs, 0, p, w, n);
        ApplyA(p, ap);
        double rr = 0;
        for (int i = 0; i < n; i++)
        {
            r[i] = _b[i] - ap[i];
            double z = r[i] * _invDiag[i];
            p[w + i] = z; rz += r[i] * z; rr += r[i] * r[i];
        }
        Iterations = 0;
        RelativeResidual = Math.Sqrt(rr) / bNorm;
        while (RelativeResidual > tolerance && Iterations < maxIterations)
        {
            cancellationToken.ThrowIfCancellationRequested();
            double pAp = ApplyA(p, ap);
            if (pAp <= 0) break; // converged to round-off: no descent direction left
            double alpha = rz / pAp, rzNew = 0;
            rr = 0;
            for (int i = 0; i < n; i++)
            {
                xs[i] += alpha * p[w + i];
                double ri = r[i] - alpha * ap[i];
                r[i] = ri;
                rzNew += ri * ri * _invDiag[i];
                rr += ri * ri;
            }
            double beta = rzNew / rz;
            rz = rzNew;
            for (int i = 0; i < n; i++) p[w + i] = r[i] * _invDiag[i] + beta * p[w + i];
            Iterations++;
            RelativeResidual = Math.Sqrt(rr) / bNorm;
        }
        for (int i = 0; i < n; i++) if (_diag[i] > 0) x[i] = (float)xs[i];
    }

    /// <summary>ap = A p on unknown pixels (0 on seeds); returns pᵀAp.</summary>
    private double ApplyA(double[] p, double[] ap)
    {
        int n = _n, w = _w;
        double dot = 0;
        for (int i = 0; i < n; i++)
        {
            int k = i + w;
            double v = _diag[i] * p[k] - _cE[i] * p[k + 1] - _cW[i] * p[k - 1] - _cN[i] * p[k - w] - _cS[i] * p[k + w];
            ap[i] = v;
            dot += p[k] * v;
        }
        return dot;
    }
}
