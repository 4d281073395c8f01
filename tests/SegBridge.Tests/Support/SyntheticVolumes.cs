using SegBridge.Imaging.Volumes;

namespace SegBridge.Tests.Support;

/// <summary>Small NIfTI volumes the tests make themselves: a bright sphere on a noisy background.</summary>
internal static class SyntheticVolumes
{
    /// <summary>w×h×d float32, background ~100, a sphere of 900 of radius min(w,h)/4 centred at the middle (offset by dx, dy, dz).</summary>
    public static Volume Sphere(int w, int h, int d, int dx, int dy, int dz)
    {
        var values = new float[w * h * d];
        var mask = SphereMask(w, h, d, -1, dx, dy, dz);
        for (int i = 0; i < values.Length; i++) values[i] = mask[i] != 0 ? 900 + i % 13 : 100 + (i * 7) % 17;
        var header = new NiftiHeader
        {
            Dim = [3, (short)w, (short)h, (short)d, 1, 1, 1, 1], DataType = (short)NiftiDataType.Float32, BitPix = 32,
            PixDim = [1, 1, 1, 2, 1, 1, 1, 1], QformCode = 1, XyztUnits = 2,
        };
        return new Volume(header, VoxelBuffer.Of(values));
    }

    /// <summary><see cref="Sphere"/> written to DIR/sphere.nii.gz; returns the path.</summary>
    public static string SphereFile(string dir, int w, int h, int d)
    {
        var path = Path.Combine(dir, "sphere.nii.gz");
        NiftiWriter.Write(Sphere(w, h, d, 0, 0, 0), path);
        return path;
    }

    /// <summary>The sphere's mask on slice z (z ≥ 0), or the whole volume's (z = -1), 0/1.</summary>
    public static byte[] SphereMask(int w, int h, int d, int z, int dx = 0, int dy = 0, int dz = 0)
    {
        double r = Math.Min(w, h) / 4.0, cx = w / 2.0 + dx, cy = h / 2.0 + dy, cz = d / 2.0 + dz;
        double rz = d / 3.0;
        var zs = z >= 0 ? new[] { z } : Enumerable.Range(0, d).ToArray();
        var mask = new byte[w * h * zs.Length];
        int k = 0;
        foreach (var zz in zs)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++, k++)
                {
                    double ex = (x + 0.5 - cx) / r, ey = (y + 0.5 - cy) / r, ez = (zz + 0.5 - cz) / rz;
                    mask[k] = ex * ex + ey * ey + ez * ez <= 1 ? (byte)1 : (byte)0;
                }
        return mask;
    }
}
