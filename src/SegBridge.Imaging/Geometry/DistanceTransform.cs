using SegBridge.Imaging.Rasters;

namespace SegBridge.Imaging.Geometry;

/// <summary>
/// Exact Euclidean distance transform (Felzenszwalb &amp; Huttenlocher, "Distance Transforms of
/// Sampled Functions", 2012): a 1-D pass down every column, then the 1-D lower envelope of
/// parabolas along every row. O(width·height), exact (no chamfer approximation), which the click
/// robots need because they click at the pixel farthest from the error boundary.
/// </summary>
public static class DistanceTransform
{
    /// <summary>
    /// For every pixel, the Euclidean distance to the nearest pixel whose (mask != 0) equals
    /// <paramref name="target"/>: 0 on such pixels, +Infinity everywhere when there are none.
    /// </summary>
    public static float[] ToNearest(byte[] mask, int width, int height, bool target)
    {
        ArgumentNullException.ThrowIfNull(mask);
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"size {width}x{height} must be positive");
        if (mask.LongLength != (long)width * height) throw new ArgumentException($"mask has {mask.LongLength} bytes, expected {(long)width * height}", nameof(mask));
        return Compute(mask, width, height, target, outsideIsTarget: false);
    }

    /// <summary>
    /// Distance of each foreground pixel to the nearest background pixel (0 on background).
    /// padBorder = true counts the ring of pixels just outside the image as background, as the
    /// click-robot protocol does (it pads the mask by one pixel), so the image border is boundary
    /// too and a full mask gets finite distances.
    /// </summary>
    public static float[] InsideDistance(Mask m, bool padBorder)
    {
        ArgumentNullException.ThrowIfNull(m);
        return Compute(m.Data, m.Width, m.Height, target: false, outsideIsTarget: padBorder);
    }

    private static float[] Compute(byte[] mask, int w, int h, bool target, bool outsideIsTarget)
    {
        var vertical = ColumnDistances(mask, w, h, target, outsideIsTarget);
        var result = new float[(long)w * h];
        var envelope = new LowerEnvelope(w + 2);
        for (int y = 0; y < h; y++)
        {
            long row = (long)y * w;
            envelope.Clear();
            // Virtual targets one pixel outside the image, at height 0 (same row).
            if (outsideIsTarget) envelope.Add(-1, 0);
            for (int x = 0; x < w; x++)
            {
                int dy = vertical[row + x];
                if (dy >= 0) envelope.Add(x, (double)dy * dy);
            }
            if (outsideIsTarget) envelope.Add(w, 0);
            envelope.Evaluate(result.AsSpan((int)row, w));
        }
        return result;
    }

    /// <summary>
    /// First pass. On a binary image the 1-D transform of a column is just the distance to the
    /// nearest target in that column, found by one sweep each way. -1 means no target in the column.
    /// </summary>
    private static int[] ColumnDistances(byte[] mask, int w, int h, bool target, bool outsideIsTarget)
    {
        var d = new int[(long)w * h];
        for (int x = 0; x < w; x++)
        {
            int last = outsideIsTarget ? -1 : int.MinValue;
            for (int y = 0; y < h; y++)
            {
                long i = (long)y * w + x;
                if ((mask[i] != 0) == target) last = y;
                d[i] = last == int.MinValue ? -1 : y - last;
            }
            int nextBelow = outsideIsTarget ? h : int.MaxValue;
            for (int y = h - 1; y >= 0; y--)
            {
                long i = (long)y * w + x;
                if ((mask[i] != 0) == target) nextBelow = y;
                if (nextBelow == int.MaxValue) continue;
                int below = nextBelow - y;
                if (d[i] < 0 || below < d[i]) d[i] = below;
            }
        }
        return d;
    }

    /// <summary>The lower envelope of parabolas (x − q)² + f(q) over sites added in increasing q.</summary>
    private sealed class LowerEnvelope(int capacity)
    {
        private readonly double[] site = new double[capacity], value = new double[capacity], boundary = new double[capacity + 1];
        private int count;

        public void Clear() => count = 0;

        public void Add(double q, double fq)
        {
            if (count == 0)
            {
                site[0] = q; value[0] = fq;
                boundary[0] = double.NegativeInfinity; boundary[1] = double.PositiveInfinity;
                count = 1;
                return;
            }
            double s;
            while (true)
            {
                int k = count - 1;
                // Where this parabola starts to undercut parabola k. boundary[0] is -infinity, so
                // the loop always stops at the first site at the latest.
                s = (fq + q * q - (value[k] + site[k] * site[k])) / (2 * q - 2 * site[k]);
                if (s > boundary[k]) break;
                count--; // parabola k is nowhere lowest any more
            }
            site[count] = q; value[count] = fq;
            boundary[count] = s; boundary[count + 1] = double.PositiveInfinity;
            count++;
        }

        public void Evaluate(Span<float> output)
        {
            if (count == 0) { output.Fill(float.PositiveInfinity); return; }
            int k = 0;
            for (int x = 0; x < output.Length; x++)
            {
                while (boundary[k + 1] < x) k++;
                double dx = x - site[k];
                output[x] = (float)Math.Sqrt(dx * dx + value[k]);
            }
        }
    }
}
