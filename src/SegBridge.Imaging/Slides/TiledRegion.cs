using SegBridge.Imaging.Rasters;

namespace SegBridge.Imaging.Slides;

/// <summary>One tile of a <see cref="TiledRegion"/>: its index (row-major), grid column/row, and rectangle in working-raster pixels.</summary>
public readonly record struct RegionTile(int Index, int Column, int Row, PixelRect Rect);

/// <summary>
/// Splits a working raster of <see cref="Width"/>×<see cref="Height"/> pixels (all coordinates here are
/// working-raster pixels, see <see cref="SlideRegionPlan"/>) into overlapping tiles for a model with a fixed
/// input size. Along each axis tiles start every <c>tileSize − overlap</c> pixels; the last tile is shifted
/// back to end at the raster's edge, so every tile is exactly tileSize wide unless the raster itself is
/// narrower (then one tile spans it). Adjacent tiles therefore overlap by at least <see cref="Overlap"/>.
/// Built from a plan and a reader, <see cref="ReadTile"/> gives a tile's pixels; tiles are read on demand,
/// so the whole region never has to be in memory.
/// </summary>
public sealed class TiledRegion
{
    public int Width { get; }
    public int Height { get; }
    public int TileSize { get; }
    public int Overlap { get; }
    /// <summary>Tile start positions along x and y.</summary>
    public IReadOnlyList<int> Columns { get; }
    public IReadOnlyList<int> Rows { get; }
    public SlideRegionPlan? Plan { get; }
    public ISlideLevelReader? Reader { get; }

    public int TileCount => Columns.Count * Rows.Count;

    public TiledRegion(int width, int height, int tileSize, int overlap)
        : this(width, height, tileSize, overlap, null, null) { }

    /// <summary>Tiles over a plan's working raster, read through <paramref name="reader"/> (use a <see cref="CachedSlideReader"/> so overlaps are read once).</summary>
    public TiledRegion(SlideRegionPlan plan, ISlideLevelReader reader, int tileSize, int overlap)
        : this(plan?.Width ?? throw new ArgumentNullException(nameof(plan)), plan.Height, tileSize, overlap, plan, reader ?? throw new ArgumentNullException(nameof(reader))) { }

    private TiledRegion(int width, int height, int tileSize, int overlap, SlideRegionPlan? plan, ISlideLevelReader? reader)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"region size {width}x{height} must be positive");
        if (tileSize < 1) throw new ArgumentOutOfRangeException(nameof(tileSize), $"tile size must be positive, got {tileSize}");
        if (overlap < 0 || overlap >= tileSize) throw new ArgumentOutOfRangeException(nameof(overlap), $"overlap must be in 0..{tileSize - 1} for tile size {tileSize}, got {overlap}");
        Width = width; Height = height; TileSize = tileSize; Overlap = overlap; Plan = plan; Reader = reader;
        Columns = Positions(width, tileSize, overlap);
        Rows = Positions(height, tileSize, overlap);
    }

    private static int[] Positions(int length, int tile, int overlap)
    {
        if (length <= tile) return [0];
        var list = new List<int>();
        int stride = tile - overlap;
        for (int p = 0; p + tile < length; p += stride) list.Add(p);
        list.Add(length - tile);
        return list.ToArray();
    }

    public int TileWidth => Math.Min(TileSize, Width);
    public int TileHeight => Math.Min(TileSize, Height);

    public RegionTile Tile(int column, int row) =>
        new(row * Columns.Count + column, column, row, new PixelRect(Columns[column], Rows[row], TileWidth, TileHeight));

    /// <summary>All tiles, row by row (the order <see cref="TileBlender"/> processes them).</summary>
    public IEnumerable<RegionTile> Tiles()
    {
        for (int r = 0; r < Rows.Count; r++)
            for (int c = 0; c < Columns.Count; c++) yield return Tile(c, r);
    }

    /// <summary>A tile's RGB pixels (only for a region built from a plan and a reader).</summary>
    public ImageRaster ReadTile(RegionTile tile, CancellationToken cancellationToken = default)
    {
        if (Plan is null || Reader is null) throw new InvalidOperationException("this TiledRegion has no slide; build it from a SlideRegionPlan and a reader to read tiles");
        return Plan.ReadWorking(Reader, tile.Rect, cancellationToken);
    }
}
