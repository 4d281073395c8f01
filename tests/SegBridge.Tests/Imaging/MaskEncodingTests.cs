using SegBridge.Imaging.Encodings;
using SegBridge.Imaging.Rasters;

namespace SegBridge.Tests.Imaging;

public class MaskEncodingTests
{
    [Fact]
    public void Rle_matches_a_hand_computed_example()
    {
        // 3 wide, 2 high:   row 0: 0 1 1     column-major order: (0,0)=0 (0,1)=1 | (1,0)=1 (1,1)=0 | (2,0)=1 (2,1)=1
        //                   row 1: 1 0 1     → 0 1 1 0 1 1 → runs: 1 zero, 2 ones, 1 zero, 2 ones
        var mask = new Mask(3, 2, [0, 1, 1, 1, 0, 1]);
        Assert.Equal(new[] { 1, 2, 1, 2 }, CocoRle.Encode(mask));
        Assert.Equal(mask.Data, CocoRle.Decode([1, 2, 1, 2], 3, 2).Data);
    }

    [Fact]
    public void Rle_starts_with_a_zero_count_when_the_first_pixel_is_foreground()
    {
        var mask = new Mask(2, 2, [1, 0, 1, 0]);
        Assert.Equal(new[] { 0, 2, 2 }, CocoRle.Encode(mask));
    }

    [Fact]
    public void Rle_of_empty_and_full_masks()
    {
        Assert.Equal(new[] { 20 }, CocoRle.Encode(new Mask(4, 5)));
        var full = new Mask(4, 5, Enumerable.Repeat((byte)1, 20).ToArray());
        Assert.Equal(new[] { 0, 20 }, CocoRle.Encode(full));
        Assert.Equal(full.Data, CocoRle.Decode([0, 20], 4, 5).Data);
        Assert.Equal(new byte[20], CocoRle.Decode([20], 4, 5).Data);
    }

    [Fact]
    public void Rle_round_trips_random_masks()
    {
        var rng = new Random(7);
        for (int t = 0; t < 200; t++)
        {
            var mask = MaskFactory.Random(rng, rng.Next(1, 30), rng.Next(1, 30), rng.NextDouble());
            var counts = CocoRle.Encode(mask);
            Assert.Equal(mask.Width * mask.Height, counts.Sum());
            Assert.Equal(mask.Data, CocoRle.Decode(counts, mask.Width, mask.Height).Data);
        }
    }

    [Fact]
    public void Rle_decode_rejects_counts_that_do_not_cover_the_mask()
    {
        Assert.Contains("expected", Assert.Throws<ArgumentException>(() => CocoRle.Decode([1, 2, 1], 3, 2)).Message);
        Assert.Throws<ArgumentException>(() => CocoRle.Decode([4, 3], 3, 2));
        Assert.Throws<ArgumentException>(() => CocoRle.Decode([7, -1], 3, 2));
    }

    [Fact]
    public void Mask_png_is_8bit_grey_0_255_and_round_trips()
    {
        var mask = MaskFactory.Random(new Random(3), 33, 17, 0.4);
        var png = MaskPng.Encode(mask);
        Assert.Equal(8, png[24]);  // IHDR bit depth
        Assert.Equal(0, png[25]);  // IHDR colour type: greyscale
        var pixels = SegBridge.Imaging.Codecs.ImageDecoder.Decode(png, long.MaxValue);
        Assert.Equal(1, pixels.Channels);
        Assert.Equal(mask.Data.Select(b => b == 0 ? (byte)0 : (byte)255), pixels.Pixels);
        Assert.Equal(mask.Data, MaskPng.Decode(png).Data);
    }

    [Fact]
    public void Mask_png_decode_treats_any_nonzero_as_foreground()
    {
        var png = TestImages.SkiaEncode(4, 1, 1, [0, 1, 128, 255], SkiaSharp.SKEncodedImageFormat.Png);
        Assert.Equal(new byte[] { 0, 1, 1, 1 }, MaskPng.Decode(png).Data);
    }

    [Fact]
    public void Rgb_png_round_trips_through_the_decoder()
    {
        var px = TestImages.RgbPattern(9, 5);
        var image = new ImageRaster(9, 5, 3, px);
        Assert.Equal(px, SegBridge.Imaging.Codecs.ImageDecoder.Decode(MaskPng.EncodeRgb(image), long.MaxValue).Pixels);
    }
}

internal static class MaskFactory
{
    public static Mask Random(Random rng, int w, int h, double density)
    {
        var data = new byte[w * h];
        for (int i = 0; i < data.Length; i++) data[i] = rng.NextDouble() < density ? (byte)1 : (byte)0;
        return new Mask(w, h, data);
    }

    /// <summary>Blobs with holes and islands: random noise smoothed by a few majority-vote passes.</summary>
    public static Mask Blobby(Random rng, int w, int h)
    {
        var m = Random(rng, w, h, 0.5);
        for (int pass = 0; pass < 3; pass++)
        {
            var next = new byte[w * h];
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    int sum = 0;
                    for (int dy = -1; dy <= 1; dy++)
                        for (int dx = -1; dx <= 1; dx++)
                        {
                            int xx = x + dx, yy = y + dy;
                            if (xx >= 0 && yy >= 0 && xx < w && yy < h) sum += m.Data[yy * w + xx];
                        }
                    next[y * w + x] = sum >= 5 ? (byte)1 : (byte)0;
                }
            m = new Mask(w, h, next);
        }
        return m;
    }

    public static Mask Disk(int w, int h, double cx, double cy, double r)
    {
        var m = new Mask(w, h);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                if ((x + 0.5 - cx) * (x + 0.5 - cx) + (y + 0.5 - cy) * (y + 0.5 - cy) <= r * r) m.Data[y * w + x] = 1;
        return m;
    }

    public static Mask FromRows(params string[] rows)
    {
        var m = new Mask(rows[0].Length, rows.Length);
        for (int y = 0; y < rows.Length; y++)
            for (int x = 0; x < rows[y].Length; x++)
                if (rows[y][x] == '#') m.Data[y * rows[0].Length + x] = 1;
        return m;
    }
}
