using static TorchSharp.torch;

namespace SegBridge.Models.Torch.Brs;

/// <summary>
/// The f-BRS click encoding: per sign, the distance d from each pixel to the nearest click of that sign,
/// mapped to tanh(2·d/R). Pixels on a click are 0, far pixels approach 1; a sign with no clicks is all 1.
/// Computed in double precision so the Python reference gets bit-identical maps.
/// </summary>
public static class ClickEncoding
{
    /// <summary>Returns a (1, 2, height, width) float tensor: channel 0 positive, channel 1 negative.</summary>
    public static Tensor Encode(IReadOnlyList<ClickPoint> clicks, int height, int width, double normRadius)
    {
        var maps = new float[2 * height * width];
        for (int sign = 0; sign < 2; sign++)
        {
            var own = clicks.Where(c => c.Positive == (sign == 0)).ToArray();
            int offset = sign * height * width;
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                {
                    double best = double.PositiveInfinity;
                    foreach (var c in own)
                    {
                        double dx = x - c.X, dy = y - c.Y;
                        best = Math.Min(best, dx * dx + dy * dy);
                    }
                    maps[offset + y * width + x] = own.Length == 0 ? 1f : (float)Math.Tanh(2 * Math.Sqrt(best) / normRadius);
                }
        }
        return tensor(maps, [1, 2, height, width]);
    }
}
