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

    /// <summary>A file on this machine, named in messages by its path (for the CLI and evaluation, which read their own files).</summary>
    public static ImageRaster DecodeFile(string path, long maxPixels)
    {
        FileStream file;
        try { file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ImageDecodeException($"cannot read image file '{path}': {e.Message}", e);
        }
        using (file) return DecodeFile(file, path, maxPixels);
    }

    /// <summary>
    /// An opened image file, named <paramref name="shown"/> in messages. The header is read first: a format we do not
    /// decode, a size over <paramref name="maxPixels"/>, or a file larger than its header's image can be is refused
    /// before the file is read into memory. Messages never quote the file's bytes (it may not be the client's to read).
    /// </summary>
    public static ImageRaster DecodeFile(Stream file, string shown, long maxPixels)
    {
        byte[] bytes;
        try
        {
            var (format, width, height) = ImageHeaderReader.Read(file);
            if (format == ImageFormat.Unknown) throw new ImageDecodeException($"{shown}: not a PNG, JPEG or TIFF file");
            ImageTooLargeException.ThrowIfTooLarge(width, height, maxPixels);
            long length = file.Length, most = ImageHeaderReader.MaxFileBytes(width, height);
            if (length > most)
                throw new ImageDecodeException($"{shown}: the file is {length} bytes, more than a {width}x{height} {SkiaImageReader.Name(format)} can take ({most}); it is not just one image");
            bytes = new byte[length];
            file.ReadExactly(bytes);
        }
        catch (ImageTooLargeException) { throw; }
        catch (ImageDecodeException e) when (e.Message.StartsWith(shown, StringComparison.Ordinal)) { throw; }
        catch (ImageDecodeException e) { throw new ImageDecodeException($"{shown}: {e.Message}", e); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new ImageDecodeException($"cannot read image file '{shown}'", e);
        }
        try { return Decode(bytes, maxPixels); }
        catch (ImageTooLargeException) { throw; }
        catch (ImageDecodeException e) { throw new ImageDecodeException($"{shown}: {e.Message}", e); }
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
