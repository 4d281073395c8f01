using SegBridge.Imaging.Codecs;

namespace SegBridge.Tests.Imaging;

public class RawArrayTests
{
    private const long NoLimit = long.MaxValue;

    [Fact]
    public void Uint8_is_copied_and_rgba_loses_alpha()
    {
        Assert.Equal(new byte[] { 5, 6, 7, 8 }, ImageDecoder.FromRaw(2, 2, 1, "uint8", [5, 6, 7, 8], NoLimit).Pixels);
        var rgb = ImageDecoder.FromRaw(2, 1, 3, "uint8", [1, 2, 3, 4, 5, 6], NoLimit);
        Assert.Equal(3, rgb.Channels);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6 }, rgb.Pixels);
        var rgba = ImageDecoder.FromRaw(2, 1, 4, "uint8", [1, 2, 3, 99, 4, 5, 6, 98], NoLimit);
        Assert.Equal(3, rgba.Channels);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6 }, rgba.Pixels);
    }

    [Fact]
    public void Uint16_is_stretched_by_min_and_max()
    {
        ushort[] v = [100, 350, 500, 200]; // scale 255/400: 250 → 159.4, 100 → 63.75
        var img = ImageDecoder.FromRaw(4, 1, 1, "uint16", v.SelectMany(BitConverter.GetBytes).ToArray(), NoLimit);
        Assert.Equal(new byte[] { 0, 159, 255, 64 }, img.Pixels);
    }

    [Fact]
    public void Float32_is_stretched_and_rgba_alpha_does_not_affect_the_range()
    {
        float[] v = [-1f, 0.2f, 1f, 1000f, 0.5f, 0.5f, 0.5f, -1000f]; // RGB range -1..1, alpha ±1000 ignored
        var img = ImageDecoder.FromRaw(2, 1, 4, "float32", v.SelectMany(BitConverter.GetBytes).ToArray(), NoLimit);
        Assert.Equal(new byte[] { 0, 153, 255, 191, 191, 191 }, img.Pixels);
    }

    [Theory]
    [InlineData("uint16")]
    [InlineData("float32")]
    public void Constant_wide_images_map_to_zero(string dtype)
    {
        byte[] one = dtype == "uint16" ? BitConverter.GetBytes((ushort)777) : BitConverter.GetBytes(3.25f);
        var data = Enumerable.Repeat(one, 6).SelectMany(b => b).ToArray();
        Assert.All(ImageDecoder.FromRaw(3, 2, 1, dtype, data, NoLimit).Pixels, p => Assert.Equal(0, p));
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void Non_finite_float32_is_rejected_naming_the_dtype(float bad)
    {
        var data = new[] { 1f, bad, 2f }.SelectMany(BitConverter.GetBytes).ToArray();
        var e = Assert.ThrowsAny<ImageDecodeException>(() => ImageDecoder.FromRaw(3, 1, 1, "float32", data, NoLimit));
        Assert.Contains("float32", e.Message);
    }

    [Fact]
    public void Wrong_data_length_names_the_expected_size()
    {
        var e = Assert.Throws<RawArrayException>(() => ImageDecoder.FromRaw(20, 30, 1, "uint16", new byte[10], NoLimit));
        Assert.Equal("data", e.Field);
        Assert.Equal("raw.data has 10 bytes; expected width*height*channels*2 = 1200 for uint16", e.Message);
        Assert.Equal("data", Assert.Throws<RawArrayException>(() => ImageDecoder.FromRaw(2, 2, 3, "uint8", new byte[13], NoLimit)).Field);
    }

    [Theory]
    [InlineData(0, 5, 1, "uint8", "width")]
    [InlineData(-3, 5, 1, "uint8", "width")]
    [InlineData(5, 0, 1, "uint8", "height")]
    [InlineData(5, int.MinValue, 1, "uint8", "height")]
    [InlineData(5, 5, 2, "uint8", "channels")]
    [InlineData(5, 5, 0, "uint8", "channels")]
    [InlineData(5, 5, 1, "int8", "dtype")]
    [InlineData(5, 5, 1, "float64", "dtype")]
    public void Invalid_fields_are_named(int w, int h, int c, string dtype, string field)
    {
        var e = Assert.Throws<RawArrayException>(() => ImageDecoder.FromRaw(w, h, c, dtype, new byte[25], NoLimit));
        Assert.Equal(field, e.Field);
        Assert.Contains("raw." + field, e.Message);
    }

    [Fact]
    public void Sizes_that_overflow_int_and_long_are_reported_not_wrapped()
    {
        var e = Assert.Throws<RawArrayException>(() => ImageDecoder.FromRaw(int.MaxValue, int.MaxValue, 4, "float32", new byte[16], NoLimit));
        Assert.Equal("data", e.Field);
        Assert.Contains("73786976226118729744", e.Message); // (2^31-1)^2 * 16, exact
        // 65536*65536*1 wraps to 0 in int arithmetic; an empty array must not be accepted.
        Assert.Throws<RawArrayException>(() => ImageDecoder.FromRaw(65536, 65536, 1, "uint8", [], NoLimit));
    }

    [Fact]
    public void Pixel_limit_applies_to_raw_arrays()
    {
        var e = Assert.Throws<ImageTooLargeException>(() => ImageDecoder.FromRaw(1000, 1000, 1, "uint8", new byte[1], 999_999));
        Assert.Equal(999_999, e.Limit);
    }
}
