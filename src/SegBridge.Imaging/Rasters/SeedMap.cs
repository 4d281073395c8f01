namespace SegBridge.Imaging.Rasters;

/// <summary>
/// Per-pixel seed labels, the same convention as scribble label images:
/// 0 unlabelled, 1 foreground, 2 background.
/// </summary>
public sealed class SeedMap
{
    public const byte Unlabelled = 0, Foreground = 1, Background = 2;

    public int Width { get; }
    public int Height { get; }
    public byte[] Labels { get; }

    public SeedMap(int width, int height) : this(width, height, new byte[(long)width * height]) { }

    public SeedMap(int width, int height, byte[] labels)
    {
        if (labels.LongLength != (long)width * height) throw new ArgumentException($"label buffer has {labels.LongLength} bytes, expected {(long)width * height}", nameof(labels));
        Width = width; Height = height; Labels = labels;
    }

    public bool HasForeground => Array.IndexOf(Labels, Foreground) >= 0;
    public bool HasBackground => Array.IndexOf(Labels, Background) >= 0;
}
