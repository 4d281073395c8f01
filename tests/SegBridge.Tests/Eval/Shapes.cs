using SegBridge.Eval;
using SegBridge.Imaging.Rasters;

namespace SegBridge.Tests.Eval;

/// <summary>Hand-made truths and predictions whose robot answers are known in closed form.</summary>
internal static class Shapes
{
    public static byte[] Disk(int w, int h, int cx, int cy, double r)
    {
        var m = new byte[w * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r) m[y * w + x] = 1;
        return m;
    }

    public static byte[] Rect(int w, int h, int x0, int y0, int rw, int rh)
    {
        var m = new byte[w * h];
        for (int y = y0; y < y0 + rh; y++)
            for (int x = x0; x < x0 + rw; x++) m[y * w + x] = 1;
        return m;
    }

    public static byte[] Union(params byte[][] masks)
    {
        var u = new byte[masks[0].Length];
        foreach (var m in masks) for (int i = 0; i < u.Length; i++) u[i] |= m[i];
        return u;
    }

    public static byte[] Minus(byte[] a, byte[] b)
    {
        var d = new byte[a.Length];
        for (int i = 0; i < d.Length; i++) d[i] = a[i] != 0 && b[i] == 0 ? (byte)1 : (byte)0;
        return d;
    }

    public static GroundTruth Truth(int w, int h, byte[] obj, byte[]? ignore = null)
        => GroundTruth.FromMask(new Mask(w, h, obj), ignore is null ? null : new Mask(w, h, ignore));

    public static Mask Empty(int w, int h) => new(w, h);
    public static Mask M(int w, int h, byte[] data) => new(w, h, (byte[])data.Clone());

    /// <summary>Brute-force distance from pixel (x, y) to the nearest pixel outside the region (the ring outside the image counts).</summary>
    public static double BruteDistance(byte[] region, int w, int h, int x, int y)
    {
        double best = double.MaxValue;
        for (int yy = -1; yy <= h; yy++)
            for (int xx = -1; xx <= w; xx++)
            {
                bool outside = xx < 0 || yy < 0 || xx >= w || yy >= h || region[yy * w + xx] == 0;
                if (outside) best = Math.Min(best, Math.Sqrt((double)(xx - x) * (xx - x) + (double)(yy - y) * (yy - y)));
            }
        return best;
    }
}
