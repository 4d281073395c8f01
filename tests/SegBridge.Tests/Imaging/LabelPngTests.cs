using SegBridge.Imaging.Codecs;
using SkiaSharp;

namespace SegBridge.Tests.Imaging;

public class LabelPngTests
{
    private const long NoLimit = long.MaxValue;

    [Fact]
    public void Palette_labels_are_indices_not_colours()
    {
        // VOC style: index 1 is drawn red, 2 green; the labels must be 1 and 2, not 128/0.
        byte[] palette = [0, 0, 0, 128, 0, 0, 0, 128, 0];
        var png = TestImages.RawPng(3, 1, 8, 3, [0, 1, 2], palette);
        Assert.Equal(new byte[] { 0, 1, 2 }, ImageDecoder.DecodeLabels(png, NoLimit).Labels);
        // The same file as an image shows the colours, proving the two paths differ.
        Assert.Equal(new byte[] { 0, 0, 0, 128, 0, 0, 0, 128, 0 }, ImageDecoder.Decode(png, NoLimit).Pixels);
    }

    [Fact]
    public void Low_bit_depth_and_16bit_labels_are_not_rescaled()
    {
        // 2-bit grey, 5 pixels packed into 2 bytes: 0 1 2 1 | 2 (pad)
        var packed = TestImages.RawPng(5, 1, 2, 0, [0b00_01_10_01, 0b10_000000]);
        Assert.Equal(new byte[] { 0, 1, 2, 1, 2 }, ImageDecoder.DecodeLabels(packed, NoLimit).Labels);

        var sixteen = TestImages.RawPng(3, 1, 16, 0, [0, 2, 0, 1, 0, 0]);
        Assert.Equal(new byte[] { 2, 1, 0 }, ImageDecoder.DecodeLabels(sixteen, NoLimit).Labels);
        var tooBig = TestImages.RawPng(1, 1, 16, 0, [1, 0]);
        Assert.Contains("256", Assert.Throws<ImageDecodeException>(() => ImageDecoder.DecodeLabels(tooBig, NoLimit)).Message);
    }

    [Fact]
    public void Filtered_rows_from_a_real_encoder_are_reconstructed()
    {
        // A 64x48 RGB image makes Skia's encoder use its adaptive Sub/Up/Average/Paeth filters.
        var px = TestImages.RgbPattern(64, 48);
        var labels = ImageDecoder.DecodeLabels(TestImages.SkiaEncode(64, 48, 3, px, SKEncodedImageFormat.Png), NoLimit);
        Assert.Equal((64, 48), (labels.Width, labels.Height));
        Assert.Equal(Enumerable.Range(0, 64 * 48).Select(i => px[i * 3]), labels.Labels);
    }

    [Fact]
    public void Bad_label_files_are_decode_errors()
    {
        var good = TestImages.RawPng(20, 20, 8, 0, new byte[400]);
        Assert.Throws<ImageDecodeException>(() => ImageDecoder.DecodeLabels(good.Take(good.Length - 20).ToArray(), NoLimit));
        Assert.Throws<ImageDecodeException>(() => ImageDecoder.DecodeLabels([1, 2, 3], NoLimit));
        Assert.Contains("interlaced", Assert.Throws<ImageDecodeException>(() =>
            ImageDecoder.DecodeLabels(TestImages.RawPng(2, 1, 8, 0, [1, 2], interlaced: true), NoLimit)).Message);
        var damaged = (byte[])good.Clone();
        for (int i = 45; i < 55; i++) damaged[i] ^= 0xFF; // inside the zlib stream
        Assert.Throws<ImageDecodeException>(() => ImageDecoder.DecodeLabels(damaged, NoLimit));
        Assert.Throws<ImageTooLargeException>(() => ImageDecoder.DecodeLabels(good, 399));
    }
}
