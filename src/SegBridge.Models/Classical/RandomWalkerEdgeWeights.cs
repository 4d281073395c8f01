using SegBridge.Imaging.Rasters;

namespace SegBridge.Models.Classical;

/// <summary>
/// Grady's 4-neighbour edge weights, computed the way scikit-image's <c>random_walker</c> does so
/// that its documented <c>beta</c> means the same here: intensities scaled to [0, 1],
/// g² = squared differences summed over channels,
/// w = exp(-beta / (10·std(all data)) / sqrt(channels) · g²) + eps, eps = 1e-10.
/// </summary>
public static class RandomWalkerEdgeWeights
{
    /// <summary>
    /// The value scikit-image's <c>_build_laplacian</c> passes (1e-10; the 1e-6 sometimes quoted is
    /// not what it uses). Keeps every edge conducting so every pixel reaches a seed.
    /// </summary>
    public const double Epsilon = 1e-10;

    /// <summary>East[i] weights edge (i, i+1) (0 on the last column), South[i] edge (i, i+width) (0 on the last row).</summary>
    public static (float[] East, float[] South) Compute(ImageRaster image, double beta)
    {
        int w = image.Width, h = image.Height, c = image.Channels;
        var px = image.Pixels;
        double std = StdOfScaledData(px);
        // A flat image has std 0: every edge is equally strong, so any positive scale gives the same answer.
        double scale = std > 1e-12 ? -beta / (10 * std) / Math.Sqrt(c) : 0;
        const double toUnit2 = 1.0 / (255.0 * 255.0);
        var east = new float[(long)w * h];
        var south = new float[(long)w * h];
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                int i = y * w + x;
                if (x + 1 < w) east[i] = (float)(Math.Exp(scale * SquaredDiff(px, i * c, (i + 1) * c, c) * toUnit2) + Epsilon);
                if (y + 1 < h) south[i] = (float)(Math.Exp(scale * SquaredDiff(px, i * c, (i + w) * c, c) * toUnit2) + Epsilon);
            }
        }
        return (east, south);
    }

    private static int SquaredDiff(byte[] px, int a, int b, int channels)
    {
        int s = 0;
        for (int k = 0; k < channels; k++) { int d = px[a + k] - px[b + k]; s += d * d; }
        return s;
    }

    /// <summary>Population standard deviation (numpy's default) of all samples scaled to [0, 1].</summary>
    private static double StdOfScaledData(byte[] px)
    {
        // Histogram first: exact and one pass, whatever the image size.
        var hist = new long[256];
        foreach (var b in px) hist[b]++;
        double n = px.LongLength, mean = 0, m2 = 0;
        for (int v = 0; v < 256; v++) mean += hist[v] * (v / 255.0);
        mean /= n;
        for (int v = 0; v < 256; v++) { double d = v / 255.0 - mean; m2 += hist[v] * d * d; }
        return Math.Sqrt(m2 / n);
    }
}
