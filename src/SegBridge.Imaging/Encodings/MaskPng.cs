using System.Runtime.InteropServices;
using SegBridge.Imaging.Codecs;
using SegBridge.Imaging.Rasters;
using SkiaSharp;

namespace SegBridge.Imaging.Encodings;

/// <summary>Masks as 8-bit greyscale PNGs (0 background, 255 foreground) — viewable in any image viewer.</summary>
public static class MaskPng
{
    public static byte[] Encode(Mask mask)
    {
        var grey = new byte[mask.Data.LongLength];
        for (long i = 0; i < grey.LongLength; i++) grey[i] = mask.Data[i] != 0 ? (byte)255 : (byte)0;
        return EncodePng(new SKImageInfo(mask.Width, mask.Height, SKColorType.Gray8, SKAlphaType.Opaque), grey);
    }

    /// <summary>Any nonzero grey (or red, for an RGB PNG) value is foreground.</summary>
    public static Mask Decode(byte[] png)
    {
        var (width, height, values) = ImageDecoder.DecodeLabels(png, long.MaxValue);
        for (long i = 0; i < values.LongLength; i++) values[i] = values[i] != 0 ? (byte)1 : (byte)0;
        return new Mask(width, height, values);
    }

    /// <summary>An image as PNG, for debugging and overlays; grey rasters stay grey.</summary>
    public static byte[] EncodeRgb(ImageRaster image)
    {
        if (image.Channels == 1)
            return EncodePng(new SKImageInfo(image.Width, image.Height, SKColorType.Gray8, SKAlphaType.Opaque), image.Pixels);
        // Skia has no packed 24-bit format, so pad to RGBA with opaque alpha.
        var rgba = new byte[image.PixelCount * 4];
        for (long p = 0; p < image.PixelCount; p++)
        {
            rgba[p * 4] = image.Pixels[p * 3];
            rgba[p * 4 + 1] = image.Pixels[p * 3 + 1];
            rgba[p * 4 + 2] = image.Pixels[p * 3 + 2];
            rgba[p * 4 + 3] = 255;
        }
        return EncodePng(new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Opaque), rgba);
    }

    private static byte[] EncodePng(SKImageInfo info, byte[] pixels)
    {
        var handle = GCHandle.Alloc(pixels, GCHandleType.Pinned);
        try
        {
            using var pixmap = new SKPixmap(info, handle.AddrOfPinnedObject(), info.RowBytes);
            using var data = pixmap.Encode(SKEncodedImageFormat.Png, 100)
                ?? throw new InvalidOperationException($"Skia could not encode a {info.Width}x{info.Height} {info.ColorType} PNG");
            return data.ToArray();
        }
        finally { handle.Free(); }
    }
}
