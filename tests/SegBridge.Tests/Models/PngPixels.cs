using SegBridge.Imaging.Rasters;
using SkiaSharp;

namespace SegBridge.Tests.Models;

/// <summary>
/// Decodes test PNGs with SkiaSharp into raw values. No colour space is requested, so Skia does no
/// colour conversion: label and mask PNGs keep their exact grey values (0/1/2, 0/128/255).
/// </summary>
public static class PngPixels
{
    public static ImageRaster ReadRgb(string path)
    {
        var rgba = Decode(path, SKColorType.Rgba8888, SKAlphaType.Unpremul, out int w, out int h);
        var rgb = new byte[w * h * 3];
        for (int i = 0; i < w * h; i++)
        {
            rgb[i * 3] = rgba[i * 4]; rgb[i * 3 + 1] = rgba[i * 4 + 1]; rgb[i * 3 + 2] = rgba[i * 4 + 2];
        }
        return new ImageRaster(w, h, 3, rgb);
    }

    public static (byte[] Values, int Width, int Height) ReadGrey(string path)
    {
        var grey = Decode(path, SKColorType.Gray8, SKAlphaType.Opaque, out int w, out int h);
        return (grey, w, h);
    }

    private static byte[] Decode(string path, SKColorType colorType, SKAlphaType alphaType, out int width, out int height)
    {
        using var codec = SKCodec.Create(path) ?? throw new InvalidDataException($"cannot decode {path}");
        width = codec.Info.Width; height = codec.Info.Height;
        var info = new SKImageInfo(width, height, colorType, alphaType); // ColorSpace null: raw values
        using var bitmap = new SKBitmap(info);
        var result = codec.GetPixels(info, bitmap.GetPixels());
        if (result is not (SKCodecResult.Success or SKCodecResult.IncompleteInput))
            throw new InvalidDataException($"decoding {path} failed: {result}");
        int bpp = info.BytesPerPixel, rowBytes = bitmap.RowBytes;
        var packed = new byte[width * height * bpp];
        var span = bitmap.GetPixelSpan();
        for (int y = 0; y < height; y++) span.Slice(y * rowBytes, width * bpp).CopyTo(packed.AsSpan(y * width * bpp));
        return packed;
    }
}
