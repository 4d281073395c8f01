using SegBridge.Imaging.Rasters;

namespace SegBridge.Imaging.Codecs;

/// <summary>
/// The single entry point that turns client bytes into an <see cref="ImageRaster"/>.
/// Every failure is an <see cref="ImageDecodeException"/> (or subclass) with a client-readable
/// message; no library exception escapes.
/// </summary>
public static class ImageDecoder
{
    /// <summary>PNG, JPEG, TIFF (and BMP, WebP), recognised from magic bytes, not from a file name.</summary>
    public static ImageRaster Decode(byte[] bytes, long maxPixels)
    {
        if (bytes == null || bytes.Length == 0) throw new ImageDecodeException("the image data is empty");
        var format = ImageFormatSniffer.Detect(bytes);
        try
        {
            return format switch
            {
                ImageFormat.Tiff => TiffImageReader.Read(bytes, maxPixels),
                ImageFormat.Unknown => throw new ImageDecodeException($"not a PNG, JPEG or TIFF file ({ImageFormatSniffer.FirstBytes(bytes)})"),
                _ => SkiaImageReader.Read(bytes, format, maxPixels),
            };
        }
        catch (ImageDecodeException) { throw; }
        catch (Exception e) { throw new ImageDecodeException($"corrupt {SkiaImageReader.Name(format)}: {e.Message}", e); }
    }

    public static ImageRaster DecodeFile(string path, long maxPixels)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ImageDecodeException($"cannot read image file '{path}': {e.Message}", e);
        }
        try { return Decode(bytes, maxPixels); }
        catch (ImageTooLargeException) { throw; }
        catch (ImageDecodeException e) { throw new ImageDecodeException($"{path}: {e.Message}", e); }
    }

    /// <summary>
    /// A raw little-endian array: dtype uint8, uint16 or float32; channels 1, 3 or 4 (alpha dropped).
    /// uint16 and float32 are stretched from the array's min..max to 0..255 (constant → 0).
    /// </summary>
    public static ImageRaster FromRaw(int width, int height, int channels, string dtype, byte[] data, long maxPixels)
        => RawArrayReader.Read(width, height, channels, dtype, data, maxPixels);

    /// <summary>
    /// A label PNG: grey value = label (0 unlabelled, 1 foreground, 2 background), taken verbatim
    /// with no colour management or rescaling; for an RGB PNG the red channel is used, for a
    /// palette PNG the palette index.
    /// </summary>
    public static (int Width, int Height, byte[] Labels) DecodeLabels(byte[] png, long maxPixels)
    {
        if (png == null || png.Length == 0) throw new ImageDecodeException("the label image data is empty");
        try { return PngLabelReader.Read(png, maxPixels); }
        catch (ImageDecodeException) { throw; }
        catch (Exception e) { throw new ImageDecodeException($"corrupt PNG: {e.Message}", e); }
    }

    /// <summary>
    /// A label PNG read sample-exactly like <see cref="DecodeLabels"/>, but 16-bit values are kept:
    /// instance masks (one id per object, 0 background) are commonly 16-bit. Also returns the bit depth.
    /// </summary>
    public static (int Width, int Height, ushort[] Values, int BitDepth) DecodeLabelValues(byte[] png, long maxPixels)
    {
        if (png == null || png.Length == 0) throw new ImageDecodeException("the label image data is empty");
        try { return PngLabelReader.ReadWide(png, maxPixels); }
        catch (ImageDecodeException) { throw; }
        catch (Exception e) { throw new ImageDecodeException($"corrupt PNG: {e.Message}", e); }
    }
}
