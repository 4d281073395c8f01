namespace SegBridge.Imaging.Geometry;

/// <summary>
/// Zhang–Suen thinning (Zhang &amp; Suen, "A fast parallel algorithm for thinning digital patterns",
/// CACM 27(3), 1984): removes boundary pixels in two alternating sub-iterations until nothing
/// changes, leaving an 8-connected, one-pixel-wide skeleton that keeps the shape's topology
/// (components and holes). Pixels outside the image count as background. The scribble robot
/// skeletonises thresholded error regions with it.
/// </summary>
public static class Skeleton
{
    /// <summary>A new mask (0/1) holding the skeleton of the nonzero pixels of <paramref name="mask"/>.</summary>
    public static byte[] Thin(byte[] mask, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(mask);
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"size {width}x{height} must be positive");
        if (mask.LongLength != (long)width * height) throw new ArgumentException($"mask has {mask.LongLength} bytes, expected {(long)width * height}", nameof(mask));
        var img = new byte[mask.Length];
        for (int i = 0; i < mask.Length; i++) img[i] = mask[i] != 0 ? (byte)1 : (byte)0;
        var remove = new List<int>();
        bool changed = true;
        while (changed)
        {
            changed = false;
            for (int pass = 0; pass < 2; pass++)
            {
                remove.Clear();
                for (int y = 0; y < height; y++)
                {
                    for (int x = 0; x < width; x++)
                    {
                        int i = y * width + x;
                        if (img[i] == 0) continue;
                        // Neighbours P2..P9 clockwise from north.
                        int p2 = At(img, width, height, x, y - 1), p3 = At(img, width, height, x + 1, y - 1);
                        int p4 = At(img, width, height, x + 1, y), p5 = At(img, width, height, x + 1, y + 1);
                        int p6 = At(img, width, height, x, y + 1), p7 = At(img, width, height, x - 1, y + 1);
                        int p8 = At(img, width, height, x - 1, y), p9 = At(img, width, height, x - 1, y - 1);
                        int b = p2 + p3 + p4 + p5 + p6 + p7 + p8 + p9;
                        if (b < 2 || b > 6) continue;
                        int a = (p2 == 0 && p3 == 1 ? 1 : 0) + (p3 == 0 && p4 == 1 ? 1 : 0) + (p4 == 0 && p5 == 1 ? 1 : 0)
                              + (p5 == 0 && p6 == 1 ? 1 : 0) + (p6 == 0 && p7 == 1 ? 1 : 0) + (p7 == 0 && p8 == 1 ? 1 : 0)
                              + (p8 == 0 && p9 == 1 ? 1 : 0) + (p9 == 0 && p2 == 1 ? 1 : 0);
                        if (a != 1) continue;
                        if (pass == 0 ? (p2 * p4 * p6 != 0 || p4 * p6 * p8 != 0) : (p2 * p4 * p8 != 0 || p2 * p6 * p8 != 0)) continue;
                        remove.Add(i);
                    }
                }
                foreach (var i in remove) img[i] = 0;
                if (remove.Count > 0) changed = true;
            }
        }
        return img;
    }

    private static int At(byte[] img, int w, int h, int x, int y) => x < 0 || y < 0 || x >= w || y >= h ? 0 : img[y * w + x];
}
