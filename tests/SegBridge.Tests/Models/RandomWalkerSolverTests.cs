using SegBridge.Imaging.Interactions;
using SegBridge.Imaging.Rasters;
using SegBridge.Models;
using SegBridge.Models.Classical;

namespace SegBridge.Tests.Models;

public class RandomWalkerSolverTests
{
    [Fact]
    public void FlatImageBetweenTwoSeedColumnsGivesALinearRamp()
    {
        // Uniform weights make the Dirichlet problem a discrete Laplace equation: with the left
        // column at 1 and the right at 0 the exact answer is 1 - x / (width - 1) on every row.
        int w = 129, h = 70;
        var image = new ImageRaster(w, h, 1, Enumerable.Repeat((byte)90, w * h).ToArray());
        var labels = new byte[w * h];
        for (int y = 0; y < h; y++) { labels[y * w] = SeedMap.Foreground; labels[y * w + w - 1] = SeedMap.Background; }
        var result = new RandomWalkerModel(tolerance: 1e-6).Segment(image, [new LabelImage(labels, w, h)], new ModelSessionState(), default);
        for (int y = 0; y < h; y += 7)
            for (int x = 0; x < w; x++)
                Assert.InRange(Math.Abs(1 - x / (double)(w - 1) - result.Probability![y * w + x]), 0, 1e-3);
        for (int i = 0; i < w * h; i++) Assert.Equal(result.Probability![i] >= 0.5f, result.Mask.Data[i] == 1);
        Assert.True(result.Mask[w / 2 - 1, 0]);
        Assert.False(result.Mask[w / 2 + 1, 0]);
    }

    [Fact]
    public void CoarseStartDoesNotChangeTheAnswer()
    {
        // Solve the same problem with and without the coarse-to-fine start vector.
        var (image, _) = SyntheticImages.NoisyDisk(160, 50);
        var seeds = SeedRasterizer.Rasterize([new Click(80, 80, true, 4), new Click(8, 8, false, 4)], 160, 160);
        var (east, south) = RandomWalkerEdgeWeights.Compute(image, 130);
        var fixedValue = seeds.Labels.Select(l => l == SeedMap.Foreground ? 1f : l == SeedMap.Background ? 0f : float.NaN).ToArray();
        float[] Solve(bool coarse)
        {
            var x = fixedValue.Select(v => float.IsNaN(v) ? 0f : v).ToArray();
            if (coarse) CoarseToFineGuess.Fill(x, 160, 160, east, south, fixedValue, 1e-6, 10000, default);
            var solver = new GridDirichletSolver(160, 160, east, south, fixedValue);
            solver.Solve(x, 1e-6, 10000, default);
            Assert.True(solver.RelativeResidual <= 1e-6);
            return x;
        }
        var plain = Solve(false);
        var started = Solve(true);
        for (int i = 0; i < plain.Length; i++) Assert.Equal(plain[i], started[i], 2);
    }
}
