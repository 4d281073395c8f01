using SegBridge.Imaging.Rasters;
using SegBridge.Models.Classical.MaxFlow;

namespace SegBridge.Models.Classical;

/// <summary>
/// Graph-cut pairwise costs on the 8-neighbourhood, λ·exp(−β‖Ii−Ij‖²)/dist, with β = 1/(2⟨‖Ii−Ij‖²⟩)
/// averaged over all neighbour pairs so the contrast scale adapts to each image (GrabCut's choice).
/// Computed once per image and reused across GrabCut rounds.
/// </summary>
public sealed class SmoothnessTerms
{
    // Offsets to the four "forward" neighbours: E, S, SE, SW; the other four are their reverses.
    private static readonly (int Dx, int Dy)[] Forward = [(1, 0), (0, 1), (1, 1), (-1, 1)];
    private readonly int _w, _h;
    private readonly float[][] _weights; // per direction, indexed by the first pixel

    public double Beta { get; }

    public SmoothnessTerms(ImageRaster image, double lambda)
    {
        _w = image.Width; _h = image.Height;
        int n = _w * _h;
        var d2 = new float[Forward.Length][];
        double sum = 0; long pairs = 0;
        for (int k = 0; k < Forward.Length; k++)
        {
            d2[k] = new float[n];
            var (dx, dy) = Forward[k];
            for (int y = 0; y + dy < _h; y++)
                for (int x = Math.Max(0, -dx); x < _w && x + dx < _w; x++)
                {
                    int i = y * _w + x;
                    float v = ColourDistance2(image, i, i + dy * _w + dx);
                    d2[k][i] = v; sum += v; pairs++;
                }
        }
        double mean = pairs > 0 ? sum / pairs : 0;
        Beta = mean > 0 ? 1 / (2 * mean) : 0; // flat image: every pair costs λ/dist
        _weights = new float[Forward.Length][];
        for (int k = 0; k < Forward.Length; k++)
        {
            double dist = Math.Sqrt(Forward[k].Dx * Forward[k].Dx + Forward[k].Dy * Forward[k].Dy);
            _weights[k] = new float[n];
            for (int i = 0; i < n; i++) _weights[k][i] = (float)(lambda * Math.Exp(-Beta * d2[k][i]) / dist);
        }
    }

    public void AddTo(BoykovKolmogorovMaxFlow graph)
    {
        for (int k = 0; k < Forward.Length; k++)
        {
            var (dx, dy) = Forward[k];
            var wk = _weights[k];
            for (int y = 0; y + dy < _h; y++)
                for (int x = Math.Max(0, -dx); x < _w && x + dx < _w; x++)
                {
                    int i = y * _w + x;
                    if (wk[i] > 0) graph.AddEdge(i, i + dy * _w + dx, wk[i], wk[i]);
                }
        }
    }

    private static float ColourDistance2(ImageRaster image, int a, int b)
    {
        int c = image.Channels, s = 0;
        for (int k = 0; k < c; k++) { int d = image.Pixels[a * c + k] - image.Pixels[b * c + k]; s += d * d; }
        return s;
    }
}
