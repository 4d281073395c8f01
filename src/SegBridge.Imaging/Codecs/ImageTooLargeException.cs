using System.Globalization;

namespace SegBridge.Imaging.Codecs;

/// <summary>
/// The image header declares more pixels than the server allows. Thrown before any pixel is
/// decoded so a hostile or mistaken upload cannot make us allocate gigabytes.
/// </summary>
public sealed class ImageTooLargeException : ImageDecodeException
{
    public long Width { get; }
    public long Height { get; }
    public long Limit { get; }

    public ImageTooLargeException(long width, long height, long limit)
        : base(FormatMessage(width, height, limit))
    {
        Width = width; Height = height; Limit = limit;
    }

    /// <summary>For inputs whose size is not just width×height (volumes): the caller words the message.</summary>
    public ImageTooLargeException(long width, long height, long limit, string message) : base(message)
    {
        Width = width; Height = height; Limit = limit;
    }

    /// <summary>Throws when width*height exceeds the limit (computed in decimal so it cannot overflow).</summary>
    public static void ThrowIfTooLarge(long width, long height, long limit)
    {
        if ((decimal)width * height > limit) throw new ImageTooLargeException(width, height, limit);
    }

    private static string FormatMessage(long width, long height, long limit)
    {
        // Scientific notation only where digit-counting gets hard: "4.9e9", but "600".
        decimal pixels = (decimal)width * height;
        string count = pixels < 1_000_000 ? pixels.ToString(CultureInfo.InvariantCulture) : ((double)pixels).ToString("0.#e0", CultureInfo.InvariantCulture);
        return $"image is {width}x{height} = {count} pixels; the limit is {limit} pixels (set with --max-pixels)";
    }
}
