using System.Runtime.InteropServices;
using SegBridge.Imaging.Rasters;
using SkiaSharp;

namespace SegBridge.Imaging.Codecs;

/// <summary>
/// PNG, JPEG, BMP and WebP through SkiaSharp's SKCodec. The header is parsed first and the pixel
/// limit checked before any pixel buffer is allocated.
/// Decoding targets a destination with no colour space, so Skia applies no colour management:
/// pixel values come out as stored (what a segmentation model was trained on; label images
/// avoid Skia entirely, see <see cref="PngLabelReader"/>). 16-bit PNG samples are reduced to 8 bits by Skia/libpng, which keeps the high
/// byte (v16 >> 8); we do not rescale by the data range here.
/// EXIF orientation is deliberately not applied: coordinates refer to the stored pixel grid,
/// as with PIL/numpy, which is what clients computing clicks on arrays expect.
/// </summary>
internal static class SkiaImageReader
{
    public static ImageRaster Read(byte[] bytes, ImageFormat format, long maxPixels)
    {
        using var codec = OpenCodec(bytes, format);
        var info = codec.Info;
        ImageTooLargeException.ThrowIfTooLarge(info.Width, info.Height, maxPixels);

        bool grey = IsGreyscale(bytes, format, info);
        // Skia refuses to decode grey+alpha straight to opaque Gray8, so anything that is not
        // plain grey goes through RGBA and is reduced afterwards.
        if (info.ColorType == SKColorType.Gray8)
            return new ImageRaster(info.Width, info.Height, 1, DecodeTo(codec, format, SKColorType.Gray8, 1));
        var rgba = DecodeTo(codec, format, SKColorType.Rgba8888, 4);
        return grey
            ? new ImageRaster(info.Width, info.Height, 1, TakeChannel(rgba, 4, 0))
            : new ImageRaster(info.Width, info.Height, 3, DropAlpha(rgba));
    }

    private static SKCodec OpenCodec(byte[] bytes, ImageFormat format)
    {
        try
        {
            var codec = SKCodec.Create(new MemoryStream(bytes, writable: false), out var result);
            if (codec == null) throw new ImageDecodeException($"corrupt {Name(format)}: the header could not be read ({result})");
            return codec;
        }
        catch (ImageDecodeException) { throw; }
        catch (Exception e) { throw new ImageDecodeException($"corrupt {Name(format)}: {e.Message}", e); }
    }

    private static byte[] DecodeTo(SKCodec codec, ImageFormat format, SKColorType colorType, int bytesPerPixel)
    {
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, colorType,
            bytesPerPixel == 1 ? SKAlphaType.Opaque : SKAlphaType.Unpremul, colorspace: null);
        long size = (long)info.Width * info.Height * bytesPerPixel;
        if (size > Array.MaxLength)
            throw new ImageDecodeException($"image is {info.Width}x{info.Height}; its {size} bytes do not fit in one buffer");
        var pixels = new byte[size];
        SKCodecResult result;
        var handle = GCHandle.Alloc(pixels, GCHandleType.Pinned);
        try { result = codec.GetPixels(info, handle.AddrOfPinnedObject()); }
        catch (Exception e) { throw new ImageDecodeException($"corrupt {Name(format)}: {e.Message}", e); }
        finally { handle.Free(); }
        // IncompleteInput means Skia filled the missing rows with zeros; a silently black bottom
        // half would be segmented as if real, so truncated files are errors.
        if (result != SKCodecResult.Success)
            throw new ImageDecodeException($"corrupt {Name(format)}: {Describe(result)}");
        return pixels;
    }

    private static bool IsGreyscale(byte[] bytes, ImageFormat format, SKImageInfo info)
    {
        // PNG colour type byte in IHDR: 0 grey, 4 grey+alpha. Skia reports grey+alpha as RGBA,
        // but it is still a greyscale picture, so we read it as one channel.
        if (format == ImageFormat.Png && bytes.Length > 25) return bytes[25] is 0 or 4;
        return info.ColorType == SKColorType.Gray8;
    }

    private static byte[] TakeChannel(byte[] interleaved, int channels, int channel)
    {
        var one = new byte[interleaved.LongLength / channels];
        for (long i = 0; i < one.LongLength; i++) one[i] = interleaved[i * channels + channel];
        return one;
    }

    private static byte[] DropAlpha(byte[] rgba)
    {
        var rgb = new byte[rgba.LongLength / 4 * 3];
        for (long s = 0, d = 0; s < rgba.LongLength; s += 4, d += 3)
        {
            rgb[d] = rgba[s]; rgb[d + 1] = rgba[s + 1]; rgb[d + 2] = rgba[s + 2];
        }
        return rgb;
    }

    private static string Describe(SKCodecResult r) => r switch
    {
        SKCodecResult.IncompleteInput => "the data is truncated",
        SKCodecResult.ErrorInInput => "the compressed data is damaged",
        SKCodecResult.InvalidInput => "the data is invalid",
        _ => $"decoding failed ({r})",
    };

    internal static string Name(ImageFormat f) => f switch
    {
        ImageFormat.Png => "PNG", ImageFormat.Jpeg => "JPEG", ImageFormat.Bmp => "BMP",
        ImageFormat.WebP => "WebP", ImageFormat.Tiff => "TIFF", _ => "image",
    };
}
