namespace SegBridge.Imaging.Rasters;

/// <summary>
/// An 8-bit image, row-major, channels interleaved (1 = grey, 3 = RGB).
/// Every reader converts to this so models see one pixel layout.
/// </summary>
public sealed class ImageRaster
{
    public int Width { get; }
    public int Height { get; }
    public int Channels { get; }
    /// <summary>Length Width*Height*Channels; pixel (x, y) channel c is at (y*Width + x)*Channels + c.</summary>
    public byte[] Pixels { get; }

    public ImageRaster(int width, int height, int channels, byte[] pixels)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"image size {width}x{height} must be positive");
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), $"channels must be 1 or 3, got {channels}");
        if (pixels.LongLength != (long)width * height * channels)
            throw new ArgumentException($"pixel buffer has {pixels.LongLength} bytes, expected {(long)width * height * channels} for {width}x{height}x{channels}", nameof(pixels));
        Width = width; Height = height; Channels = channels; Pixels = pixels;
    }

    public long PixelCount => (long)Width * Height;

    public bool Contains(double x, double y) => x >= 0 && y >= 0 && x < Width && y < Height;

    /// <summary>Copy of a rectangle; used to crop a working region from a larger image.</summary>
    public ImageRaster Crop(int x0, int y0, int width, int height)
    {
        if (x0 < 0 || y0 < 0 || width <= 0 || height <= 0 || x0 + width > Width || y0 + height > Height)
            throw new ArgumentOutOfRangeException(nameof(x0), $"crop ({x0},{y0},{width},{height}) is outside the {Width}x{Height} image");
        var dst = new byte[(long)width * height * Channels];
        int rowBytes = width * Channels;
        for (int y = 0; y < height; y++)
            Buffer.BlockCopy(Pixels, ((y0 + y) * Width + x0) * Channels, dst, y * rowBytes, rowBytes);
        return new ImageRaster(width, height, Channels, dst);
    }
}
