using SegBridge.Imaging.Codecs;
using SkiaSharp;

namespace SegBridge.Tests.Imaging;

public class ImageDecoderTests
{
    private const long NoLimit = long.MaxValue;

    [Fact]
    public void Png_rgb_decodes_exactly_in_rgb_order()
    {
        var px = TestImages.RgbPattern(37, 21);
        var img = ImageDecoder.Decode(TestImages.SkiaEncode(37, 21, 3, px, SKEncodedImageFormat.Png), NoLimit);
        Assert.Equal((37, 21, 3), (img.Width, img.Height, img.Channels));
        Assert.Equal(px, img.Pixels);
    }

    [Fact]
    public void Png_grey_decodes_to_one_channel()
    {
        var px = Enumerable.Range(0, 15 * 9).Select(i => (byte)(i * 3)).ToArray();
        var img = ImageDecoder.Decode(TestImages.SkiaEncode(15, 9, 1, px, SKEncodedImageFormat.Png), NoLimit);
        Assert.Equal(1, img.Channels);
        Assert.Equal(px, img.Pixels);
    }

    [Fact]
    public void Png_rgba_drops_alpha_without_compositing()
    {
        var rgba = new byte[] { 10, 20, 30, 0, 200, 100, 50, 128 };
        var img = ImageDecoder.Decode(TestImages.SkiaEncode(2, 1, 4, rgba, SKEncodedImageFormat.Png), NoLimit);
        Assert.Equal(3, img.Channels);
        Assert.Equal(new byte[] { 10, 20, 30, 200, 100, 50 }, img.Pixels);
    }

    [Fact]
    public void Png_16bit_grey_keeps_the_high_byte()
    {
        ushort[] values = [0x0000, 0x12FF, 0x8000, 0xFFFF];
        var be = values.SelectMany(v => new[] { (byte)(v >> 8), (byte)v }).ToArray();
        var img = ImageDecoder.Decode(TestImages.RawPng(4, 1, 16, 0, be), NoLimit);
        Assert.Equal(1, img.Channels);
        // 0x12FF → 0x12 (not rounded up to 0x13): the high byte, as documented.
        Assert.Equal(new byte[] { 0, 0x12, 0x80, 0xFF }, img.Pixels);
    }

    [Fact]
    public void Png_grey_with_alpha_is_greyscale()
    {
        var img = ImageDecoder.Decode(TestImages.RawPng(2, 1, 8, 4, [77, 255, 200, 0]), NoLimit);
        Assert.Equal(1, img.Channels);
        Assert.Equal(new byte[] { 77, 200 }, img.Pixels);
    }

    [Fact]
    public void Jpeg_colour_and_grey_decode_close_to_the_source()
    {
        var px = TestImages.RgbPattern(32, 24);
        var colour = ImageDecoder.Decode(TestImages.SkiaEncode(32, 24, 3, px, SKEncodedImageFormat.Jpeg, 95), NoLimit);
        Assert.Equal((32, 24, 3), (colour.Width, colour.Height, colour.Channels));
        Assert.True(MeanAbsoluteError(px, colour.Pixels) < 8, "JPEG colour decode drifted too far");

        var grey = Enumerable.Range(0, 32 * 24).Select(i => (byte)(i % 32 * 8)).ToArray();
        var g = ImageDecoder.Decode(TestImages.SkiaEncode(32, 24, 1, grey, SKEncodedImageFormat.Jpeg, 95), NoLimit);
        Assert.Equal(1, g.Channels);
        Assert.True(MeanAbsoluteError(grey, g.Pixels) < 8, "JPEG grey decode drifted too far");
    }

    [Fact]
    public void Pixel_limit_is_enforced_from_the_header_before_decoding()
    {
        // A valid header for a 70000x70000 image followed by a truncated body: decoding would
        // fail (or allocate 14 GB); the limit must be reported first.
        var png = TestImages.RawPng(70000, 70000, 8, 0, new byte[70000]).Take(60).ToArray();
        var e = Assert.Throws<ImageTooLargeException>(() => ImageDecoder.Decode(png, 1_000_000));
        Assert.Equal((70000L, 70000L, 1_000_000L), (e.Width, e.Height, e.Limit));
        Assert.Contains("70000x70000", e.Message);
        Assert.Contains("4.9e9", e.Message);
        Assert.Contains("--max-pixels", e.Message);

        var small = TestImages.SkiaEncode(10, 10, 1, new byte[100], SKEncodedImageFormat.Png);
        Assert.Throws<ImageTooLargeException>(() => ImageDecoder.Decode(small, 99));
        Assert.Equal(10, ImageDecoder.Decode(small, 100).Width);
    }

    [Fact]
    public void Unknown_bytes_name_the_first_bytes()
    {
        var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode([0x00, 0x01, 0x02, 0xAB], NoLimit));
        Assert.Contains("not a PNG, JPEG or TIFF file", e.Message);
        Assert.Contains("00 01 02 AB", e.Message);
        Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode([], NoLimit));
    }

    [Theory]
    [InlineData(SKEncodedImageFormat.Png, "PNG")]
    [InlineData(SKEncodedImageFormat.Jpeg, "JPEG")]
    public void Truncated_or_damaged_files_are_decode_errors(SKEncodedImageFormat format, string name)
    {
        var good = TestImages.SkiaEncode(64, 64, 3, TestImages.RgbPattern(64, 64), format, 90);
        // (The last 12 bytes of a PNG are the IEND chunk, which decoders rightly do not need.)
        foreach (int keep in new[] { 9, 30, good.Length / 2, good.Length - 30 })
        {
            var e = Assert.ThrowsAny<ImageDecodeException>(() => ImageDecoder.Decode(good.Take(keep).ToArray(), NoLimit));
            Assert.Contains(name, e.Message);
        }
        // Damage behind the magic bytes: PNG notices through CRCs/zlib. libjpeg shrugs off damaged
        // entropy-coded data, so for JPEG only a damaged header is reliably an error.
        var damaged = (byte[])good.Clone();
        int from = format == SKEncodedImageFormat.Png ? good.Length / 3 : 3;
        for (int i = from; i < from + 200; i++) damaged[i] ^= 0x5A;
        Assert.Contains(name, Assert.ThrowsAny<ImageDecodeException>(() => ImageDecoder.Decode(damaged, NoLimit)).Message);
    }

    [Fact]
    public void Webp_comes_for_free()
    {
        var px = TestImages.RgbPattern(16, 16);
        var webp = ImageDecoder.Decode(TestImages.SkiaEncode(16, 16, 3, px, SKEncodedImageFormat.Webp, 100), NoLimit);
        Assert.Equal((16, 16, 3), (webp.Width, webp.Height, webp.Channels));
        Assert.True(MeanAbsoluteError(px, webp.Pixels) < 10, "WebP decode drifted too far");
    }

    [Fact]
    public void DecodeFile_reports_the_path()
    {
        var missing = Path.Combine(Path.GetTempPath(), "segbridge-no-such-file.png");
        var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.DecodeFile(missing, NoLimit));
        Assert.Contains(missing, e.Message);

        var path = Path.Combine(Path.GetTempPath(), $"segbridge-{Guid.NewGuid():N}.png");
        try
        {
            File.WriteAllBytes(path, TestImages.SkiaEncode(3, 2, 1, [1, 2, 3, 4, 5, 6], SKEncodedImageFormat.Png));
            Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6 }, ImageDecoder.DecodeFile(path, NoLimit).Pixels);
            File.WriteAllBytes(path, [1, 2, 3]);
            Assert.Contains(path, Assert.Throws<ImageDecodeException>(() => ImageDecoder.DecodeFile(path, NoLimit)).Message);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Labels_are_taken_verbatim_from_grey_or_the_first_channel()
    {
        byte[] labels = [0, 1, 2, 1, 0, 2];
        var grey = ImageDecoder.DecodeLabels(TestImages.SkiaEncode(3, 2, 1, labels, SKEncodedImageFormat.Png), NoLimit);
        Assert.Equal((3, 2), (grey.Width, grey.Height));
        Assert.Equal(labels, grey.Labels);

        var rgb = labels.SelectMany(l => new[] { l, (byte)200, (byte)9 }).ToArray();
        var fromRgb = ImageDecoder.DecodeLabels(TestImages.SkiaEncode(3, 2, 3, rgb, SKEncodedImageFormat.Png), NoLimit);
        Assert.Equal(labels, fromRgb.Labels);

        Assert.Throws<ImageTooLargeException>(() => ImageDecoder.DecodeLabels(TestImages.SkiaEncode(3, 2, 1, labels, SKEncodedImageFormat.Png), 5));
        Assert.Throws<ImageDecodeException>(() => ImageDecoder.DecodeLabels(TestImages.SkiaEncode(3, 2, 1, labels, SKEncodedImageFormat.Jpeg), NoLimit));
    }

    private static double MeanAbsoluteError(byte[] a, byte[] b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Average();
}
