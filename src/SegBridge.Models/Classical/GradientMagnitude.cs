using SegBridge.Imaging.Rasters;

namespace SegBridge.Models.Classical;

/// <summary>
/// Sobel gradient magnitude for colour images: optional Gaussian pre-smoothing (noise otherwise
/// makes the flood leak through speckle), Sobel x/y per channel, combined as the Euclidean norm
/// over all channels, sqrt(Σ_c gx_c² + gy_c²), so an edge seen in any channel counts and edges
/// seen in several count more. Borders are replicated.
/// </summary>
public static class GradientMagnitude
{
    public static float[] Compute(ImageRaster image, double sigma)
    {
        int w = image.Width, h = image.Height, c = image.Channels, n = w * h;
        var result = new float[n];
        var plane = new float[n];
        var tmp = new float[n];
        for (int ch = 0; ch < c; ch++)
        {
            for (int i = 0; i < n; i++) plane[i] = image.Pixels[i * c + ch];
            if (sigma > 0) GaussianBlur.Apply(plane, tmp, w, h, sigma);
            for (int y = 0; y < h; y++)
            {
                int ym = Math.Max(y - 1, 0) * w, y0 = y * w, yp = Math.Min(y + 1, h - 1) * w;
                for (int x = 0; x < w; x++)
                {
                    int xm = Math.Max(x - 1, 0), xp = Math.Min(x + 1, w - 1);
                    float gx = plane[ym + xp] + 2 * plane[y0 + xp] + plane[yp + xp] - plane[ym + xm] - 2 * plane[y0 + xm] - plane[yp + xm];
                    float gy = plane[yp + xm] + 2 * plane[yp + x] + plane[yp + xp] - plane[ym + xm] - 2 * plane[ym + x] - plane[ym + xp];
                    result[y0 + x] += gx * gx + gy * gy;
                }
            }
        }
        for (int i = 0; i < n; i++) result[i] = MathF.Sqrt(result[i]);
        return result;
    }
}
