namespace SegBridge.Imaging.Codecs;

/// <summary>Container formats recognised from their leading magic bytes.</summary>
public enum ImageFormat { Unknown, Png, Jpeg, Tiff, Bmp, WebP }

public static class ImageFormatSniffer
{
    public static ImageFormat Detect(ReadOnlySpan<byte> b)
    {
        if (b.Length >= 8 && b[..8].SequenceEqual(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A })) return ImageFormat.Png;
        if (b.Length >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) return ImageFormat.Jpeg;
        // "II*\0" little-endian, "MM\0*" big-endian; BigTIFF uses 43 instead of 42.
        if (b.Length >= 4 && ((b[0] == 'I' && b[1] == 'I' && (b[2] == 42 || b[2] == 43) && b[3] == 0)
                           || (b[0] == 'M' && b[1] == 'M' && b[2] == 0 && (b[3] == 42 || b[3] == 43)))) return ImageFormat.Tiff;
        if (b.Length >= 2 && b[0] == 'B' && b[1] == 'M') return ImageFormat.Bmp;
        if (b.Length >= 12 && b[..4].SequenceEqual("RIFF"u8) && b.Slice(8, 4).SequenceEqual("WEBP"u8)) return ImageFormat.WebP;
        return ImageFormat.Unknown;
    }

    /// <summary>Hex dump of the first few bytes, for "what did you actually send me" messages.</summary>
    public static string FirstBytes(ReadOnlySpan<byte> b, int count = 8)
    {
        if (b.Length == 0) return "the data is empty";
        var head = b[..Math.Min(count, b.Length)].ToArray();
        return "first bytes " + string.Join(' ', head.Select(x => x.ToString("X2")));
    }
}
