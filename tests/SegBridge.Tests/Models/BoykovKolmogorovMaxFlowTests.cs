using SegBridge.Models.Classical.MaxFlow;

namespace SegBridge.Tests.Models;

public class BoykovKolmogorovMaxFlowTests
{
    private sealed record Graph(int Nodes, double[] Source, double[] Sink, List<(int I, int J, double Cap, double Rev)> Edges);

    private static Graph RandomGraph(Random rng, int nodes, double edgeProbability, bool integral)
    {
        double Cap() => rng.NextDouble() < 0.25 ? 0 : integral ? rng.Next(1, 10) : rng.NextDouble() * 10;
        var source = new double[nodes];
        var sink = new double[nodes];
        for (int i = 0; i < nodes; i++) { source[i] = Cap(); sink[i] = Cap(); }
        var edges = new List<(int, int, double, double)>();
        for (int i = 0; i < nodes; i++)
            for (int j = i + 1; j < nodes; j++)
                if (rng.NextDouble() < edgeProbability) edges.Add((i, j, Cap(), Cap()));
        return new Graph(nodes, source, sink, edges);
    }

    /// <summary>Cut capacity for a source-side set given as a bit mask.</summary>
    private static double CutCapacity(Graph g, int sourceSide)
    {
        bool S(int i) => (sourceSide >> i & 1) != 0;
        double cut = 0;
        for (int i = 0; i < g.Nodes; i++) cut += S(i) ? g.Sink[i] : g.Source[i];
        foreach (var (i, j, cap, rev) in g.Edges)
        {
            if (S(i) && !S(j)) cut += cap;
            if (S(j) && !S(i)) cut += rev;
        }
        return cut;
    }

    private static double BruteForceMinCut(Graph g)
    {
        double best = double.MaxValue;
        for (int set = 0; set < 1 << g.Nodes; set++) best = Math.Min(best, CutCapacity(g, set));
        return best;
    }

    private static (double Flow, int SourceSide) Solve(Graph g)
    {
        var mf = new BoykovKolmogorovMaxFlow(g.Nodes, g.Edges.Count);
        for (int i = 0; i < g.Nodes; i++) mf.AddTerminalWeights(i, g.Source[i], g.Sink[i]);
        foreach (var (i, j, cap, rev) in g.Edges) mf.AddEdge(i, j, cap, rev);
        double flow = mf.ComputeMaxFlow();
        int side = 0;
        for (int i = 0; i < g.Nodes; i++) if (mf.IsSourceSide(i)) side |= 1 << i;
        return (flow, side);
    }

    [Theory]
    [InlineData(1, 0.3, true)]
    [InlineData(2, 0.6, true)]
    [InlineData(3, 0.3, false)]
    [InlineData(4, 0.9, false)]
    public void MatchesBruteForceOnRandomSmallGraphs(int seed, double density, bool integral)
    {
        var rng = new Random(seed);
        for (int trial = 0; trial < 60; trial++)
        {
            var g = RandomGraph(rng, rng.Next(1, 11), density, integral);
            double expected = BruteForceMinCut(g);
            var (flow, side) = Solve(g);
            Assert.Equal(expected, flow, 9);
            // The reported partition must itself be a minimum cut, not just the flow value.
            Assert.Equal(expected, CutCapacity(g, side), 9);
        }
    }

    [Fact]
    public void ClassicTextbookNetwork()
    {
        // s→0 (16), s→1 (13), 0→2 (12), 1→0 (4), 1→3 (14), 2→1 (9), 3→2 (7), 2→t (20), 3→t (4): max flow 23.
        var mf = new BoykovKolmogorovMaxFlow(4);
        mf.AddTerminalWeights(0, 16, 0); mf.AddTerminalWeights(1, 13, 0);
        mf.AddTerminalWeights(2, 0, 20); mf.AddTerminalWeights(3, 0, 4);
        mf.AddEdge(0, 2, 12, 0); mf.AddEdge(1, 0, 4, 0); mf.AddEdge(1, 3, 14, 0);
        mf.AddEdge(2, 1, 9, 0); mf.AddEdge(3, 2, 7, 0);
        Assert.Equal(23, mf.ComputeMaxFlow(), 9);
    }

    [Fact]
    public void GridGraphSplitsAlongTheWeakColumn()
    {
        // 20x10 grid, strong links everywhere except between columns 11 and 12; left column tied to
        // the source, right column to the sink: the min cut is the weak column.
        int w = 20, h = 10;
        var mf = new BoykovKolmogorovMaxFlow(w * h, 2 * w * h);
        for (int y = 0; y < h; y++)
        {
            mf.AddTerminalWeights(y * w, 1000, 0);
            mf.AddTerminalWeights(y * w + w - 1, 0, 1000);
            for (int x = 0; x < w; x++)
            {
                int i = y * w + x;
                if (x + 1 < w) mf.AddEdge(i, i + 1, x == 11 ? 1 : 50, x == 11 ? 1 : 50);
                if (y + 1 < h) mf.AddEdge(i, i + w, 50, 50);
            }
        }
        Assert.Equal(h, mf.ComputeMaxFlow(), 9);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                Assert.Equal(x <= 11, mf.IsSourceSide(y * w + x));
    }

    [Fact]
    public void RejectsInvalidInput()
    {
        var mf = new BoykovKolmogorovMaxFlow(3);
        Assert.Throws<ArgumentOutOfRangeException>(() => mf.AddEdge(0, 3, 1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => mf.AddEdge(0, 1, -1, 1));
        Assert.Throws<ArgumentException>(() => mf.AddEdge(1, 1, 1, 1));
        Assert.Throws<InvalidOperationException>(() => mf.IsSourceSide(0));
    }

    [Fact]
    public void CancellationIsHonoured()
    {
        var mf = new BoykovKolmogorovMaxFlow(5000, 5000);
        for (int i = 0; i + 1 < 5000; i++) mf.AddEdge(i, i + 1, 1, 1);
        mf.AddTerminalWeights(0, 10, 0); mf.AddTerminalWeights(4999, 0, 10);
        Assert.Throws<OperationCanceledException>(() => mf.ComputeMaxFlow(new CancellationToken(true)));
    }
}
