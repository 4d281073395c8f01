using SegBridge.Imaging.Rasters;

namespace SegBridge.Imaging.Slides;

/// <summary>Shape of the blending weight inside a tile overlap.</summary>
public enum BlendRamp { Linear, Cosine }

/// <summary>Receives the blended map row by row, top to bottom, each row exactly once (working-raster coordinates).</summary>
public interface IBlendSink
{
    void WriteRow(int y, ReadOnlySpan<float> row);
}

/// <summary>Blended probabilities as bytes, round(clamp(p, 0, 1)·255), one per working pixel (W·H bytes).</summary>
public sealed class ProbabilityByteSink : IBlendSink
{
    public int Width { get; }
    public int Height { get; }
    public byte[] Data { get; }
    public ProbabilityByteSink(int width, int height) { Width = width; Height = height; Data = new byte[(long)width * height]; }
    public void WriteRow(int y, ReadOnlySpan<float> row)
    {
        var dst = Data.AsSpan(y * Width, Width);
        for (int x = 0; x < row.Length; x++) dst[x] = (byte)MathF.Round(Math.Clamp(row[x], 0f, 1f) * 255f);
    }
}

/// <summary>The blended map thresholded into a <see cref="Rasters.Mask"/> (1 where p ≥ threshold).</summary>
public sealed class MaskSink : IBlendSink
{
    public Mask Mask { get; }
    public float Threshold { get; }
    public MaskSink(int width, int height, float threshold = 0.5f) { Mask = new Mask(width, height); Threshold = threshold; }
    public void WriteRow(int y, ReadOnlySpan<float> row)
    {
        var dst = Mask.Data.AsSpan(y * Mask.Width, Mask.Width);
        for (int x = 0; x < row.Length; x++) dst[x] = row[x] >= Threshold ? (byte)1 : (byte)0;
    }
}

/// <summary>
/// Runs a per-tile model over a <see cref="TiledRegion"/> and blends the tiles' float maps seamlessly.
/// <para>
/// Weights: separable, w(x, y) = wx(x)·wy(y). Along an axis a tile's raw weight is 1 except within the overlap
/// with a neighbouring tile, where it ramps (linear (d+0.5)/o or raised cosine) from the shared edge inwards;
/// the image's outer edges are not ramped. The raw weights are then normalised per coordinate over all tiles
/// covering it, so the weights at every pixel sum to 1 (a constant or ramp map comes back unchanged up to float
/// rounding, and a tile border leaves no seam).
/// </para>
/// <para>
/// Memory: tiles are processed row of tiles by row of tiles; only a float strip of Width × tileHeight
/// (<see cref="StripBytes"/>) is held, and each output row is handed to the <see cref="IBlendSink"/> as soon
/// as no later tile touches it. The region is never materialised as one float array (a 20000×20000 working
/// raster with 512-pixel tiles holds 41 MB of floats, not 1.6 GB); the sink decides what to keep (a byte map,
/// a <see cref="Mask"/>, or rows streamed to a tiled store).
/// </para>
/// </summary>
public static class TileBlender
{
    /// <summary>Bytes of float accumulator the blender holds for this layout.</summary>
    public static long StripBytes(TiledRegion layout) => (long)layout.Width * layout.TileHeight * sizeof(float);

    /// <summary>
    /// For every tile (row by row) calls <paramref name="predict"/>, which returns the tile's map as
    /// tile.Rect.Width × tile.Rect.Height floats (row-major), blends, and writes finished rows to
    /// <paramref name="sink"/>. Reports the fraction of tiles done to <paramref name="progress"/>; checks
    /// <paramref name="cancellationToken"/> before each tile (and passes it on), throwing
    /// <see cref="OperationCanceledException"/>; rows already written stay written.
    /// </summary>
    public static void Blend(TiledRegion layout, Func<RegionTile, CancellationToken, float[]> predict, IBlendSink sink,
        BlendRamp ramp = BlendRamp.Cosine, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(predict);
        ArgumentNullException.ThrowIfNull(sink);
        int width = layout.Width, height = layout.Height, th = layout.TileHeight, tw = layout.TileWidth;
        var wx = AxisWeights(layout.Columns, tw, ramp);
        var wy = AxisWeights(layout.Rows, th, ramp);
        var strip = new float[(long)width * th];
        int stripTop = 0, nextRow = 0, done = 0, total = layout.TileCount;

        for (int r = 0; r < layout.Rows.Count; r++)
        {
            int py = layout.Rows[r];
            if (py != stripTop)
            {
                // Rows above the new tile row are final; shift the rest up.
                Emit(strip, width, stripTop, py, sink, ref nextRow);
                int keep = stripTop + th - py;
                Array.Copy(strip, (long)(py - stripTop) * width, strip, 0, (long)keep * width);
                Array.Clear(strip, keep * width, (th - keep) * width);
                stripTop = py;
            }
            for (int c = 0; c < layout.Columns.Count; c++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var tile = layout.Tile(c, r);
                var map = predict(tile, cancellationToken) ?? throw new InvalidOperationException($"the model returned no map for tile {tile.Index}");
                if (map.Length != tw * th)
                    throw new InvalidOperationException($"the model returned {map.Length} values for tile {tile.Index}; expected {tw}x{th} = {tw * th}");
                var wxc = wx[c]; var wyr = wy[r];
                int px = tile.Rect.X;
                for (int y = 0; y < th; y++)
                {
                    float wyv = wyr[y];
                    var dst = strip.AsSpan(y * width + px, tw);
                    var src = map.AsSpan(y * tw, tw);
                    for (int x = 0; x < tw; x++) dst[x] += src[x] * (wxc[x] * wyv);
                }
                progress?.Report(++done / (double)total);
            }
        }
        Emit(strip, width, stripTop, height, sink, ref nextRow);
    }

    /// <summary>
    /// Convenience over <see cref="Blend"/> for a region built from a slide: reads each tile's RGB pixels
    /// (through the region's reader) and hands them to <paramref name="model"/>.
    /// </summary>
    public static void Segment(TiledRegion region, Func<ImageRaster, RegionTile, CancellationToken, float[]> model, IBlendSink sink,
        BlendRamp ramp = BlendRamp.Cosine, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(region);
        ArgumentNullException.ThrowIfNull(model);
        Blend(region, (tile, ct) => model(region.ReadTile(tile, ct), tile, ct), sink, ramp, progress, cancellationToken);
    }

    private static void Emit(float[] strip, int width, int stripTop, int untilY, IBlendSink sink, ref int nextRow)
    {
        for (; nextRow < untilY; nextRow++) sink.WriteRow(nextRow, strip.AsSpan((nextRow - stripTop) * width, width));
    }

    /// <summary>Per tile along one axis, its normalised weights (length = tile length).</summary>
    internal static float[][] AxisWeights(IReadOnlyList<int> positions, int length, BlendRamp ramp)
    {
        int n = positions.Count;
        var raw = new double[n][];
        int extent = positions[n - 1] + length;
        var sum = new double[extent];
        for (int i = 0; i < n; i++)
        {
            int p = positions[i];
            int before = i > 0 ? Math.Max(0, positions[i - 1] + length - p) : 0;   // overlap with the previous tile
            int after = i < n - 1 ? Math.Max(0, p + length - positions[i + 1]) : 0; // overlap with the next tile
            var w = new double[length];
            for (int d = 0; d < length; d++)
            {
                double v = 1;
                if (d < before) v = Math.Min(v, Ramp((d + 0.5) / before, ramp));
                int fromEnd = length - 1 - d;
                if (fromEnd < after) v = Math.Min(v, Ramp((fromEnd + 0.5) / after, ramp));
                w[d] = v;
                sum[p + d] += v;
            }
            raw[i] = w;
        }
        var result = new float[n][];
        for (int i = 0; i < n; i++)
        {
            result[i] = new float[length];
            for (int d = 0; d < length; d++) result[i][d] = (float)(raw[i][d] / sum[positions[i] + d]);
        }
        return result;
    }

    private static double Ramp(double t, BlendRamp ramp) => ramp == BlendRamp.Linear ? t : 0.5 - 0.5 * Math.Cos(Math.PI * t);
}
