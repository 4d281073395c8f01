using System.Numerics;

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
    /// Vectors are float (memory traffic dominates; the tolerance is far above float precision),
    /// dot products accumulate in double.
    /// </summary>
    public void Solve(float[] x, double tolerance, int maxIterations, CancellationToken cancellationToken)
    {
        int n = _n, w = _w;
        // p is padded by one row on each side so the stencil can read i±1, i±w at the edges
        // (the matching couplings are zero there).
        var p = new float[n + 2 * w];
        var r = new float[n];
        var ap = new float[n];
        double bNorm = 0, rz = 0, rr = 0;
        for (int i = 0; i < n; i++) { bNorm += _b[i] * _b[i]; p[w + i] = _diag[i] > 0 ? x[i] : 0; }
        bNorm = Math.Sqrt(bNorm);
        if (bNorm == 0) bNorm = 1;

        // r = b - A x0, z = D⁻¹ r, p = z. On seeds r and p stay 0, so x keeps its seed values.
        ApplyA(p, ap);
        for (int i = 0; i < n; i++)
        {
            float ri = _diag[i] > 0 ? (float)(_b[i] - ap[i]) : 0;
            r[i] = ri;
            float z = ri * _invDiag[i];
            p[w + i] = z; rz += (double)ri * z; rr += (double)ri * ri;
        }
        Iterations = 0;
        RelativeResidual = Math.Sqrt(rr) / bNorm;
        while (RelativeResidual > tolerance && Iterations < maxIterations)
        {
            cancellationToken.ThrowIfCancellationRequested();
            double pAp = ApplyA(p, ap);
            if (pAp <= 0) break; // converged to round-off: no descent direction left
            float alpha = (float)(rz / pAp);
            var (rzNew, rrNew) = UpdateSolutionAndResidual(x, r, p, ap, alpha);
            float beta = (float)(rzNew / rz);
            rz = rzNew;
            UpdateDirection(r, p, beta);
            Iterations++;
            RelativeResidual = Math.Sqrt(rrNew) / bNorm;
        }
    }

    // The three loops below are the whole cost of a solve; they are written with Vector<float>
    // (products summed in double lanes) and a scalar tail, which runs several times faster than
    // scalar code on the 5-array stencil.

    /// <summary>ap = A p on unknown pixels (0 on seeds); returns pᵀAp.</summary>
    private double ApplyA(float[] p, float[] ap)
    {
        int n = _n, w = _w, lanes = Vector<float>.Count, i = 0;
        var dotLo = Vector<double>.Zero; var dotHi = Vector<double>.Zero;
        for (; i <= n - lanes; i += lanes)
        {
            int k = i + w;
            var pk = new Vector<float>(p, k);
            var v = new Vector<float>(_diag, i) * pk
                  - new Vector<float>(_cE, i) * new Vector<float>(p, k + 1)
                  - new Vector<float>(_cW, i) * new Vector<float>(p, k - 1)
                  - new Vector<float>(_cN, i) * new Vector<float>(p, k - w)
                  - new Vector<float>(_cS, i) * new Vector<float>(p, k + w);
            v.CopyTo(ap, i);
            Vector.Widen(pk * v, out var lo, out var hi);
            dotLo += lo; dotHi += hi;
        }
        double dot = Vector.Sum(dotLo + dotHi);
        for (; i < n; i++)
        {
            int k = i + w;
            float v = _diag[i] * p[k] - _cE[i] * p[k + 1] - _cW[i] * p[k - 1] - _cN[i] * p[k - w] - _cS[i] * p[k + w];
            ap[i] = v;
            dot += (double)p[k] * v;
        }
        return dot;
    }

    /// <summary>x += αp, r −= α·Ap; returns (rᵀD⁻¹r, rᵀr) for the next step and the stopping test.</summary>
    private (double Rz, double Rr) UpdateSolutionAndResidual(float[] x, float[] r, float[] p, float[] ap, float alpha)
    {
        int n = _n, w = _w, lanes = Vector<float>.Count, i = 0;
        var a = new Vector<float>(alpha);
        var rzLo = Vector<double>.Zero; var rzHi = Vector<double>.Zero;
        var rrLo = Vector<double>.Zero; var rrHi = Vector<double>.Zero;
        for (; i <= n - lanes; i += lanes)
        {
            (new Vector<float>(x, i) + a * new Vector<float>(p, w + i)).CopyTo(x, i);
            var ri = new Vector<float>(r, i) - a * new Vector<float>(ap, i);
            ri.CopyTo(r, i);
            var r2 = ri * ri;
            Vector.Widen(r2 * new Vector<float>(_invDiag, i), out var zl, out var zh);
            Vector.Widen(r2, out var ql, out var qh);
            rzLo += zl; rzHi += zh; rrLo += ql; rrHi += qh;
        }
        double rz = Vector.Sum(rzLo + rzHi), rr = Vector.Sum(rrLo + rrHi);
        for (; i < n; i++)
        {
            x[i] += alpha * p[w + i];
            float ri = r[i] - alpha * ap[i];
            r[i] = ri;
            rz += (double)ri * ri * _invDiag[i];
            rr += (double)ri * ri;
        }
        return (rz, rr);
    }

    /// <summary>p = D⁻¹r + βp.</summary>
    private void UpdateDirection(float[] r, float[] p, float beta)
    {
        int n = _n, w = _w, lanes = Vector<float>.Count, i = 0;
        var b = new Vector<float>(beta);
        for (; i <= n - lanes; i += lanes)
            (new Vector<float>(r, i) * new Vector<float>(_invDiag, i) + b * new Vector<float>(p, w + i)).CopyTo(p, w + i);
        for (; i < n; i++) p[w + i] = r[i] * _invDiag[i] + beta * p[w + i];
    }
}
