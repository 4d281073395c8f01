using BitMiracle.LibTiff.Classic;
using SegBridge.Imaging.Codecs;

namespace SegBridge.Tests.Imaging;

public class TiffDecoderTests
{
    private const long NoLimit = long.MaxValue;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Rgb_8bit_strips_and_tiles_decode_exactly(bool tiled)
    {
        // 37x23 is not a multiple of the 7-row strips or the 16x16 tiles.
        var px = TestImages.RgbPattern(37, 23);
        var img = ImageDecoder.Decode(TestImages.Tiff(37, 23, 3, 8, px, Photometric.RGB, tiled), NoLimit);
        Assert.Equal((37, 23, 3), (img.Width, img.Height, img.Channels));
        Assert.Equal(px, img.Pixels);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Grey_16bit_is_stretched_from_min_to_max(bool tiled)
    {
        int w = 20, h = 18;
        var values = new ushort[w * h];
        for (int i = 0; i < values.Length; i++) values[i] = (ushort)(1000 + i * 10); // 12-bit-ish range
        var img = ImageDecoder.Decode(TestImages.Tiff(w, h, 1, 16, ToBytes(values), Photometric.MINISBLACK, tiled), NoLimit);
        Assert.Equal(1, img.Channels);
        Assert.Equal(0, img.Pixels[0]);
        Assert.Equal(255, img.Pixels[^1]);
        int mid = values.Length / 2;
        Assert.Equal(Math.Round((values[mid] - 1000) * 255.0 / (values[^1] - 1000)), img.Pixels[mid]);
    }

    [Fact]
    public void Rgba_drops_alpha_and_min_is_white_inverts()
    {
        byte[] rgba = [1, 2, 3, 0, 4, 5, 6, 255];
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6 }, ImageDecoder.Decode(TestImages.Tiff(2, 1, 4, 8, rgba, Photometric.RGB), NoLimit).Pixels);
        Assert.Equal(new byte[] { 255, 0 }, ImageDecoder.Decode(TestImages.Tiff(2, 1, 1, 8, [0, 255], Photometric.MINISWHITE), NoLimit).Pixels);
    }

    [Fact]
    public void Palette_tiff_goes_through_the_rgba_fallback()
    {
        var red = new short[256]; var green = new short[256]; var blue = new short[256];
        red[1] = unchecked((short)0xFFFF); green[2] = unchecked((short)0xFFFF); blue[3] = unchecked((short)0x8080);
        var tiff = TestImages.Tiff(4, 1, 1, 8, [0, 1, 2, 3], Photometric.PALETTE,
            extraTags: t => t.SetField(TiffTag.COLORMAP, red, green, blue));
        var img = ImageDecoder.Decode(tiff, NoLimit);
        Assert.Equal(3, img.Channels);
        Assert.Equal(new byte[] { 0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 128 }, img.Pixels);
    }

    [Fact]
    public void Jpeg_compressed_tiff_goes_through_the_rgba_fallback()
    {
        var px = TestImages.RgbPattern(32, 32);
        var img = ImageDecoder.Decode(TestImages.Tiff(32, 32, 3, 8, px, Photometric.RGB, compression: Compression.JPEG), NoLimit);
        Assert.Equal((32, 32, 3), (img.Width, img.Height, img.Channels));
        Assert.True(px.Zip(img.Pixels, (a, b) => Math.Abs(a - b)).Average() < 10);
    }

    [Fact]
    public void Pixel_limit_applies_before_reading_pixels()
    {
        var tiff = TestImages.Tiff(30, 20, 1, 8, new byte[600], Photometric.MINISBLACK);
        var e = Assert.Throws<ImageTooLargeException>(() => ImageDecoder.Decode(tiff, 599));
        Assert.Equal((30L, 20L), (e.Width, e.Height));
    }

    [Fact]
    public void Corrupt_and_truncated_tiffs_are_decode_errors()
    {
        var good = TestImages.Tiff(40, 40, 3, 8, TestImages.RgbPattern(40, 40), Photometric.RGB);
        Assert.Contains("TIFF", Assert.ThrowsAny<ImageDecodeException>(() => ImageDecoder.Decode(good.Take(6).ToArray(), NoLimit)).Message);
        // Baseline TIFF puts the directory after the pixel data, so cutting the tail loses it.
        Assert.ThrowsAny<ImageDecodeException>(() => ImageDecoder.Decode(good.Take(good.Length - 40).ToArray(), NoLimit));
        var garbage = new byte[200];
        "II*\0"u8.CopyTo(garbage);
        garbage[4] = 0xF0; garbage[5] = 0xFF; garbage[6] = 0xFF; garbage[7] = 0x7F; // directory offset far past the end
        Assert.ThrowsAny<ImageDecodeException>(() => ImageDecoder.Decode(garbage, NoLimit));
    }

    private static byte[] ToBytes(ushort[] v) => v.SelectMany(BitConverter.GetBytes).ToArray();
}
