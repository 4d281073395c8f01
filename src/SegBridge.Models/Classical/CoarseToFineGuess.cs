namespace SegBridge.Models.Classical;

/// <summary>
/// Start vector for the random walker's PCG: the same Dirichlet problem solved on a grid of 2×2
/// blocks (recursively), copied back to the pixels. Probabilities vary smoothly away from edges,
/// so the coarse answer is close and the fine solve needs far fewer iterations than from zero.
/// The fine solve still runs to the requested tolerance, so the answer is unchanged.
/// </summary>
public static class CoarseToFineGuess
{
    /// <summary>Coarsening stops when either side would drop below this many pixels.</summary>
    public const int MinimumSide = 32;

    /// <summary>Fills <paramref name="x"/> at unknown pixels (NaN in <paramref name="fixedValue"/>) with the coarse solution.</summary>
    public static void Fill(float[] x, int width, int height, float[] east, float[] south, float[] fixedValue, double tolerance, int maxIterations, CancellationToken cancellationToken)
    {
        if (width < 2 * MinimumSide || height < 2 * MinimumSide) return;
        int cw = (width + 1) / 2, ch = (height + 1) / 2, cn = cw * ch;
        var cFixed = CoarseSeeds(width, height, fixedValue, cw, ch);
        var (cEast, cSouth) = CoarseWeights(width, height, east, south, cw, ch);

        var cx = new float[cn];
        for (int i = 0; i < cn; i++) cx[i] = float.IsNaN(cFixed[i]) ? 0 : cFixed[i];
        Fill(cx, cw, ch, cEast, cSouth, cFixed, tolerance, maxIterations, cancellationToken);
        new GridDirichletSolver(cw, ch, cEast, cSouth, cFixed).Solve(cx, tolerance, maxIterations, cancellationToken);

        for (int y = 0; y < height; y++)
            for (int xPix = 0; xPix < width; xPix++)
            {
                int i = y * width + xPix;
                if (float.IsNaN(fixedValue[i])) x[i] = Math.Clamp(cx[(y / 2) * cw + xPix / 2], 0f, 1f);
            }
    }

    /// <summary>A block is a seed when its seeded pixels agree; a block with conflicting seeds stays unknown.</summary>
    private static float[] CoarseSeeds(int w, int h, float[] fixedValue, int cw, int ch)
    {
        var result = new float[cw * ch];
        Array.Fill(result, float.NaN);
        var conflict = new bool[cw * ch];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                float v = fixedValue[y * w + x];
                if (float.IsNaN(v)) continue;
                int c = (y / 2) * cw + x / 2;
                if (conflict[c]) continue;
                if (float.IsNaN(result[c])) result[c] = v;
                else if (result[c] != v) { result[c] = float.NaN; conflict[c] = true; }
            }
        return result;
    }

    /// <summary>
    /// A coarse edge joins two blocks through two parallel fine edges twice as long: their
    /// conductances add and halve, i.e. average (fewer at the image's ragged edge).
    /// </summary>
    private static (float[] East, float[] South) CoarseWeights(int w, int h, float[] east, float[] south, int cw, int ch)
    {
        var cEast = new float[cw * ch];
        var cSouth = new float[cw * ch];
        for (int cy = 0; cy < ch; cy++)
            for (int cx = 0; cx < cw; cx++)
            {
                int c = cy * cw + cx;
                int fx = 2 * cx + 1, fy = 2 * cy;
                if (fx + 1 < w) cEast[c] = Average(east, fy * w + fx, fy + 1 < h ? (fy + 1) * w + fx : -1);
                fx = 2 * cx; fy = 2 * cy + 1;
                if (fy + 1 < h) cSouth[c] = Average(south, fy * w + fx, fx + 1 < w ? fy * w + fx + 1 : -1);
            }
        return (cEast, cSouth);
    }

    private static float Average(float[] weights, int a, int b) => b < 0 ? weights[a] : 0.5f * (weights[a] + weights[b]);
}
