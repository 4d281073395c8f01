using SegBridge.Imaging.Rasters;

namespace SegBridge.Eval;

/// <summary>
/// The ground truth of one evaluation sample: per pixel background, object or ignored. Ignored pixels
/// (GrabCut's 128 band) count neither in IoU/Dice nor in the robots' error regions.
/// </summary>
public sealed class GroundTruth
{
    public const byte Background = 0, Object = 1, Ignore = 2;

    public int Width { get; }
    public int Height { get; }
    /// <summary>Row-major, one of <see cref="Background"/>, <see cref="Object"/>, <see cref="Ignore"/>.</summary>
    public byte[] Labels { get; }

    public GroundTruth(int width, int height, byte[] labels)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"truth size {width}x{height} must be positive");
        if (labels.LongLength != (long)width * height) throw new ArgumentException($"truth has {labels.LongLength} labels, expected {(long)width * height}", nameof(labels));
        foreach (var v in labels)
            if (v > Ignore) throw new ArgumentException($"truth label {v} is not 0 (background), 1 (object) or 2 (ignore)", nameof(labels));
        Width = width; Height = height; Labels = labels;
    }

    /// <summary>From a binary mask (nonzero = object) and an optional ignore mask (nonzero = ignored).</summary>
    public static GroundTruth FromMask(Mask objectMask, Mask? ignore = null)
    {
        var labels = new byte[objectMask.Data.Length];
        for (int i = 0; i < labels.Length; i++)
            labels[i] = ignore is not null && ignore.Data[i] != 0 ? Ignore : objectMask.Data[i] != 0 ? Object : Background;
        return new GroundTruth(objectMask.Width, objectMask.Height, labels);
    }

    public long ObjectPixels => Labels.LongCount(v => v == Object);

    /// <summary>The object as a binary mask (ignored pixels count as not object).</summary>
    public Mask ObjectMask() => new(Width, Height, Labels.Select(v => v == Object ? (byte)1 : (byte)0).ToArray());
}
