using SegBridge.Imaging.Encodings;

namespace SegBridge.Imaging.Slides;

/// <summary>
/// The blended map thresholded straight into a <see cref="RunLengthMask"/> (1 where p ≥ threshold), so a
/// tiled run over a huge working raster keeps runs, not pixels (see <see cref="RunLengthTracer"/>).
/// </summary>
public sealed class RunLengthSink(int width, int height, float threshold = 0.5f) : IBlendSink
{
    public RunLengthMask Mask { get; } = new(width, height);
    public float Threshold { get; } = threshold;

    public void WriteRow(int y, ReadOnlySpan<float> row)
    {
        if (y != Mask.RowsAdded) throw new InvalidOperationException($"row {y} arrived out of order; expected {Mask.RowsAdded}");
        Mask.AddRow(row, Threshold);
    }
}
