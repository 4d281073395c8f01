using SegBridge.Imaging.Rasters;

namespace SegBridge.Tests.Models;

/// <summary>Test images whose ground truth is known exactly.</summary>
public static class SyntheticImages
{
    /// <summary>A bright RGB disk on a dark background, both with Gaussian noise of the given std.</summary>
    public static (ImageRaster Image, Mask Truth) NoisyDisk(int size = 128, double radius = 35, double noise = 12, int seed = 7)
    {
        var rng = new Random(seed);
        var px = new byte[size * size * 3];
        var truth = new Mask(size, size);
        double c = size / 2.0;
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                bool inside = (x + 0.5 - c) * (x + 0.5 - c) + (y + 0.5 - c) * (y + 0.5 - c) <= radius * radius;
                truth.Data[y * size + x] = inside ? (byte)1 : (byte)0;
                for (int k = 0; k < 3; k++)
                    px[(y * size + x) * 3 + k] = Clamp((inside ? 190 : 60) + (k == 0 ? 20 : 0) + noise * Gaussian(rng));
            }
        return (new ImageRaster(size, size, 3, px), truth);
    }

    /// <summary>Left half one colour, right half another (same brightness, different hue), mild noise.</summary>
    public static (ImageRaster Image, Mask Truth) TwoColourHalves(int width = 96, int height = 64, int seed = 3)
    {
        var rng = new Random(seed);
        var px = new byte[width * height * 3];
        var truth = new Mask(width, height);
        byte[] left = [200, 60, 60], right = [60, 60, 200];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                bool fg = x < width / 2;
                truth.Data[y * width + x] = fg ? (byte)1 : (byte)0;
                for (int k = 0; k < 3; k++) px[(y * width + x) * 3 + k] = Clamp((fg ? left : right)[k] + 6 * Gaussian(rng));
            }
        return (new ImageRaster(width, height, 3, px), truth);
    }

    public static double Iou(Mask a, Mask truth)
    {
        long inter = 0, union = 0;
        for (int i = 0; i < a.Data.Length; i++)
        {
            bool p = a.Data[i] != 0, t = truth.Data[i] != 0;
            if (p && t) inter++;
            if (p || t) union++;
        }
        return union == 0 ? 1 : inter / (double)union;
    }

    private static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
    private static byte Clamp(double v) => (byte)Math.Clamp(Math.Round(v), 0, 255);
}
