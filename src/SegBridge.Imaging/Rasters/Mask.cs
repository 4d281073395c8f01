namespace SegBridge.Imaging.Rasters;

/// <summary>A binary mask, one byte per pixel (0 or 1), row-major.</summary>
public sealed class Mask
{
    public int Width { get; }
    public int Height { get; }
    public byte[] Data { get; }

    public Mask(int width, int height) : this(width, height, new byte[(long)width * height]) { }

    public Mask(int width, int height, byte[] data)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"mask size {width}x{height} must be positive");
        if (data.LongLength != (long)width * height) throw new ArgumentException($"mask buffer has {data.LongLength} bytes, expected {(long)width * height}", nameof(data));
        Width = width; Height = height; Data = data;
    }

    public bool this[int x, int y] => Data[y * Width + x] != 0;

    public long CountForeground()
    {
        long n = 0;
        foreach (var b in Data) if (b != 0) n++;
        return n;
    }

    /// <summary>Tight bounding box of the foreground, or null when the mask is empty.</summary>
    public PixelRect? BoundingBox()
    {
        int minX = int.MaxValue, minY = int.MaxValue, maxX = -1, maxY = -1;
        for (int y = 0; y < Height; y++)
        {
            int row = y * Width;
            for (int x = 0; x < Width; x++)
            {
                if (Data[row + x] == 0) continue;
                if (x < minX) minX = x;
                if (x > maxX) maxX = x;
                if (y < minY) minY = y;
                maxY = y;
            }
        }
        return maxX < 0 ? null : new PixelRect(minX, minY, maxX - minX + 1, maxY - minY + 1);
    }

    public Mask Clone() => new(Width, Height, (byte[])Data.Clone());

    /// <summary>Copy of a rectangle (a session's region of a larger slice or image).</summary>
    public Mask Crop(int x0, int y0, int width, int height)
    {
        if (x0 < 0 || y0 < 0 || width <= 0 || height <= 0 || x0 + width > Width || y0 + height > Height)
            throw new ArgumentOutOfRangeException(nameof(x0), $"crop ({x0},{y0},{width},{height}) is outside the {Width}x{Height} mask");
        var crop = new Mask(width, height);
        for (int y = 0; y < height; y++)
            Array.Copy(Data, (y0 + y) * Width + x0, crop.Data, y * width, width);
        return crop;
    }

    /// <summary>This mask placed at (x0, y0) in an otherwise empty width×height mask: the inverse of <see cref="Crop"/>.</summary>
    public Mask PlacedIn(int width, int height, int x0, int y0)
    {
        if (x0 < 0 || y0 < 0 || x0 + Width > width || y0 + Height > height)
            throw new ArgumentOutOfRangeException(nameof(x0), $"a {Width}x{Height} mask at ({x0},{y0}) does not fit in {width}x{height}");
        var full = new Mask(width, height);
        for (int y = 0; y < Height; y++)
            Array.Copy(Data, y * Width, full.Data, (y0 + y) * width + x0, Width);
        return full;
    }

    /// <summary>Foreground where the probability is above 0.5 (a model's sigmoid output, row-major).</summary>
    public static Mask FromProbability(float[] probability, int width, int height)
    {
        var mask = new Mask(width, height);
        if (probability.LongLength != mask.Data.LongLength)
            throw new ArgumentException($"probability has {probability.LongLength} values, expected {mask.Data.LongLength} for {width}x{height}", nameof(probability));
        for (int i = 0; i < probability.Length; i++) mask.Data[i] = probability[i] > 0.5f ? (byte)1 : (byte)0;
        return mask;
    }
}

/// <summary>An axis-aligned pixel rectangle: X, Y of the top-left pixel, Width, Height in pixels.</summary>
public readonly record struct PixelRect(int X, int Y, int Width, int Height);
