using SkiaSharp;

namespace SegBridge.Tests.Support;

/// <summary>Images the tests draw themselves, so the core suite needs no shared data.</summary>
public static class TestImages
{
    /// <summary>A bright disk (centre cx, cy, radius r) on a dark, slightly noisy background, as RGB bytes.</summary>
    public static byte[] DiskRgb(int width, int height, int cx, int cy, int r, int seed = 1)
    {
        var rng = new Random(seed);
        var px = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++)
        {
            bool inside = (x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r;
            int i = (y * width + x) * 3;
            px[i] = (byte)Math.Clamp((inside ? 210 : 40) + rng.Next(-12, 13), 0, 255);
            px[i + 1] = (byte)Math.Clamp((inside ? 180 : 60) + rng.Next(-12, 13), 0, 255);
            px[i + 2] = (byte)Math.Clamp((inside ? 90 : 50) + rng.Next(-12, 13), 0, 255);
        }
        return px;
    }

    public static bool InDisk(int x, int y, int cx, int cy, int r) => (x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r;

    /// <summary>The disk image encoded as PNG.</summary>
    public static byte[] DiskPng(int width, int height, int cx, int cy, int r)
    {
        var rgb = DiskRgb(width, height, cx, cy, r);
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var rgba = new byte[width * height * 4];
        for (int i = 0; i < width * height; i++)
        {
            rgba[i * 4] = rgb[i * 3]; rgba[i * 4 + 1] = rgb[i * 3 + 1]; rgba[i * 4 + 2] = rgb[i * 3 + 2]; rgba[i * 4 + 3] = 255;
        }
        System.Runtime.InteropServices.Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>Writes the disk PNG to a fresh temp file and returns its path.</summary>
    public static string DiskPngFile(int width = 120, int height = 100, int cx = 60, int cy = 50, int r = 25)
    {
        var path = Path.Combine(Path.GetTempPath(), $"segbridge-test-{Guid.NewGuid():N}.png");
        File.WriteAllBytes(path, DiskPng(width, height, cx, cy, r));
        return path;
    }

    /// <summary>IoU of a 0/1 row-major mask against the drawn disk.</summary>
    public static double DiskIoU(byte[] mask, int width, int height, int cx, int cy, int r)
    {
        long inter = 0, union = 0;
        for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++)
        {
            bool m = mask[y * width + x] != 0, g = InDisk(x, y, cx, cy, r);
            if (m && g) inter++;
            if (m || g) union++;
        }
        return union == 0 ? 1 : (double)inter / union;
    }
}
