using SegBridge.Imaging.Geometry;
using SegBridge.Imaging.Rasters;

namespace SegBridge.Tests.Imaging;

public class DistanceTransformTests
{
    [Fact]
    public void Matches_brute_force_on_random_masks()
    {
        var rng = new Random(2024);
        for (int t = 0; t < 150; t++)
        {
            int w = rng.Next(1, 25), h = rng.Next(1, 25);
            // Sparse, dense and typical masks, so long gaps and lone targets both occur.
            var mask = MaskFactory.Random(rng, w, h, new[] { 0.02, 0.5, 0.97 }[t % 3]);
            foreach (bool target in new[] { true, false })
            {
                var expected = BruteForce(mask.Data, w, h, target, pad: false);
                var actual = DistanceTransform.ToNearest(mask.Data, w, h, target);
                AssertClose(expected, actual);
            }
        }
    }

    [Fact]
    public void No_target_pixels_give_infinity()
    {
        var d = DistanceTransform.ToNearest(new byte[12], 4, 3, target: true);
        Assert.All(d, v => Assert.Equal(float.PositiveInfinity, v));
        Assert.All(DistanceTransform.ToNearest(new byte[12], 4, 3, target: false), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Exact_distances_along_a_diagonal()
    {
        var mask = new byte[10 * 10];
        mask[0] = 1;
        var d = DistanceTransform.ToNearest(mask, 10, 10, target: true);
        Assert.Equal(Math.Sqrt(9 * 9 + 9 * 9), d[99], 4);
        Assert.Equal(5f, d[3 * 10 + 4], 5); // 3-4-5 triangle
    }

    [Fact]
    public void Inside_distance_with_and_without_border_padding_matches_brute_force()
    {
        var rng = new Random(5);
        for (int t = 0; t < 100; t++)
        {
            int w = rng.Next(1, 20), h = rng.Next(1, 20);
            var mask = MaskFactory.Blobby(rng, w, h);
            if (t % 5 == 0) Array.Fill(mask.Data, (byte)1);
            AssertClose(BruteForce(mask.Data, w, h, target: false, pad: true), DistanceTransform.InsideDistance(mask, padBorder: true));
            AssertClose(BruteForce(mask.Data, w, h, target: false, pad: false), DistanceTransform.InsideDistance(mask, padBorder: false));
        }
    }

    [Fact]
    public void Disk_centre_is_about_one_radius_from_the_boundary()
    {
        var disk = MaskFactory.Disk(101, 101, 50.5, 50.5, 30);
        var d = DistanceTransform.InsideDistance(disk, padBorder: true);
        Assert.InRange(d[50 * 101 + 50], 29.5f, 31f);
        Assert.Equal(d.Max(), d[50 * 101 + 50]);

        // A full image has no background; only the padded border bounds it.
        var full = new Mask(7, 5, Enumerable.Repeat((byte)1, 35).ToArray());
        var padded = DistanceTransform.InsideDistance(full, padBorder: true);
        Assert.Equal(3f, padded[2 * 7 + 3]);
        Assert.Equal(1f, padded[0]);
        Assert.All(DistanceTransform.InsideDistance(full, padBorder: false), v => Assert.Equal(float.PositiveInfinity, v));
    }

    private static float[] BruteForce(byte[] mask, int w, int h, bool target, bool pad)
    {
        var result = new float[w * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                double best = double.PositiveInfinity;
                for (int ty = pad ? -1 : 0; ty < (pad ? h + 1 : h); ty++)
                    for (int tx = pad ? -1 : 0; tx < (pad ? w + 1 : w); tx++)
                    {
                        bool outside = tx < 0 || ty < 0 || tx >= w || ty >= h;
                        bool isTarget = outside ? !target : (mask[ty * w + tx] != 0) == target;
                        if (isTarget) best = Math.Min(best, (tx - x) * (tx - x) + (ty - y) * (ty - y));
                    }
                result[y * w + x] = (float)Math.Sqrt(best);
            }
        return result;
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (float.IsInfinity(expected[i])) Assert.Equal(expected[i], actual[i]);
            else Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-4, $"pixel {i}: expected {expected[i]}, got {actual[i]}");
    }
}
