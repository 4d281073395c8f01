using static TorchSharp.torch;

namespace SegBridge.Models.Torch.Brs;

/// <summary>The pixel regions the refinement losses and CGAM read clicks through, as (1,C,H,W) float tensors at network resolution.</summary>
public static class ClickRegions
{
    /// <summary>1 on the 3×3 square around each positive (first) and negative (second) click: the pixels a click's loss counts.</summary>
    public static (Tensor Positive, Tensor Negative) Squares(IReadOnlyList<ClickPoint> clicks, long height, long width)
    {
        var positive = new float[height * width];
        var negative = new float[height * width];
        foreach (var c in clicks)
        {
            long cx = (long)Math.Round(c.X), cy = (long)Math.Round(c.Y);
            var target = c.Positive ? positive : negative;
            for (long y = Math.Max(0, cy - 1); y <= Math.Min(height - 1, cy + 1); y++)
                for (long x = Math.Max(0, cx - 1); x <= Math.Min(width - 1, cx + 1); x++)
                    target[y * width + x] = 1f;
        }
        return (tensor(positive, [1, 1, height, width]), tensor(negative, [1, 1, height, width]));
    }

    /// <summary>Each click's disk of its radius, positive clicks in channel 0 and negative in channel 1.</summary>
    public static Tensor Disks(IReadOnlyList<ClickPoint> clicks, Func<ClickPoint, double> radius, long height, long width)
    {
        var maps = new float[2 * height * width];
        foreach (var c in clicks)
        {
            long offset = c.Positive ? 0 : height * width;
            double r = radius(c);
            long cx = (long)Math.Round(c.X), cy = (long)Math.Round(c.Y), reach = (long)Math.Ceiling(r);
            for (long y = Math.Max(0, cy - reach); y <= Math.Min(height - 1, cy + reach); y++)
                for (long x = Math.Max(0, cx - reach); x <= Math.Min(width - 1, cx + reach); x++)
                    if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r) maps[offset + y * width + x] = 1f;
        }
        return tensor(maps, [1, 2, height, width]);
    }

    /// <summary>M of eq. 2: 1 outside the click's disk.</summary>
    public static Tensor OutsideDisk(ClickPoint click, double radius, long height, long width)
    {
        var mask = new float[height * width];
        for (long y = 0; y < height; y++)
            for (long x = 0; x < width; x++)
            {
                double dx = x - click.X, dy = y - click.Y;
                mask[y * width + x] = dx * dx + dy * dy > radius * radius ? 1f : 0f;
            }
        return tensor(mask, [1, 1, height, width]);
    }
}
