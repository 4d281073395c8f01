namespace SegBridge.Models.Classical;

/// <summary>Separable Gaussian blur of one float plane in place, kernel truncated at 3σ, borders replicated.</summary>
public static class GaussianBlur
{
    public static void Apply(float[] plane, float[] scratch, int width, int height, double sigma)
    {
        int radius = Math.Max(1, (int)Math.Ceiling(3 * sigma));
        var kernel = new float[2 * radius + 1];
        double sum = 0;
        for (int k = -radius; k <= radius; k++) sum += kernel[k + radius] = (float)Math.Exp(-k * k / (2 * sigma * sigma));
        for (int k = 0; k < kernel.Length; k++) kernel[k] = (float)(kernel[k] / sum);

        // Border pixels clamp their taps; interior ones need no clamp (same sums in the same order, just faster:
        // the tiled guide models blur every tile).
        for (int y = 0; y < height; y++)
        {
            int row = y * width;
            for (int x = 0; x < width; x++)
            {
                float s = 0;
                if (x >= radius && x < width - radius)
                    for (int k = -radius, i = row + x - radius; k <= radius; k++, i++) s += kernel[k + radius] * plane[i];
                else
                    for (int k = -radius; k <= radius; k++) s += kernel[k + radius] * plane[row + Math.Clamp(x + k, 0, width - 1)];
                scratch[row + x] = s;
            }
        }
        for (int y = 0; y < height; y++)
        {
            bool interior = y >= radius && y < height - radius;
            for (int x = 0; x < width; x++)
            {
                float s = 0;
                if (interior)
                    for (int k = -radius, i = (y - radius) * width + x; k <= radius; k++, i += width) s += kernel[k + radius] * scratch[i];
                else
                    for (int k = -radius; k <= radius; k++) s += kernel[k + radius] * scratch[Math.Clamp(y + k, 0, height - 1) * width + x];
                plane[y * width + x] = s;
            }
        }
    }
}
