namespace SegBridge.Imaging.Slides;

/// <summary>
/// A thread-safe LRU cache of RGB level tiles keyed by (slide id, level, tile column, tile row, tile size),
/// bounded by total bytes. One cache can serve many slides (the engine keeps one per process); call
/// <see cref="EvictSlide"/> when a slide is closed. Two threads missing the same tile at once both read it
/// (the second insert wins); that costs a duplicate read, never a wrong pixel.
/// </summary>
public sealed class SlideTileCache
{
    public readonly record struct Key(long SlideId, int Level, long TileX, long TileY, int TileSize);

    private readonly object _gate = new();
    private readonly Dictionary<Key, LinkedListNode<(Key Key, byte[] Pixels)>> _map = new();
    private readonly LinkedList<(Key Key, byte[] Pixels)> _lru = new(); // most recent first
    private long _bytes;

    public long CapacityBytes { get; }
    public long Hits { get; private set; }
    public long Misses { get; private set; }

    public SlideTileCache(long capacityBytes = 256L << 20)
    {
        if (capacityBytes <= 0) throw new ArgumentOutOfRangeException(nameof(capacityBytes), "capacity must be positive");
        CapacityBytes = capacityBytes;
    }

    public int Count { get { lock (_gate) return _map.Count; } }
    public long SizeBytes { get { lock (_gate) return _bytes; } }

    public bool TryGet(Key key, out byte[] pixels)
    {
        lock (_gate)
        {
            if (_map.TryGetValue(key, out var node))
            {
                _lru.Remove(node); _lru.AddFirst(node);
                Hits++;
                pixels = node.Value.Pixels;
                return true;
            }
            Misses++;
            pixels = [];
            return false;
        }
    }

    /// <summary>Adds (or replaces) a tile; evicts least recently used tiles beyond the capacity. The array must not be changed afterwards.</summary>
    public void Add(Key key, byte[] pixels)
    {
        lock (_gate)
        {
            if (_map.Remove(key, out var old)) { _lru.Remove(old); _bytes -= old.Value.Pixels.LongLength; }
            if (pixels.LongLength > CapacityBytes) return;
            _map[key] = _lru.AddFirst((key, pixels));
            _bytes += pixels.LongLength;
            while (_bytes > CapacityBytes && _lru.Last is { } last)
            {
                _lru.RemoveLast(); _map.Remove(last.Value.Key); _bytes -= last.Value.Pixels.LongLength;
            }
        }
    }

    /// <summary>Drops every tile of one slide.</summary>
    public void EvictSlide(long slideId)
    {
        lock (_gate)
        {
            for (var node = _lru.First; node is not null;)
            {
                var next = node.Next;
                if (node.Value.Key.SlideId == slideId) { _lru.Remove(node); _map.Remove(node.Value.Key); _bytes -= node.Value.Pixels.LongLength; }
                node = next;
            }
        }
    }

    public void Clear()
    {
        lock (_gate) { _map.Clear(); _lru.Clear(); _bytes = 0; }
    }
}

/// <summary>
/// An <see cref="ISlideLevelReader"/> that reads a level in fixed tiles of <see cref="TileSize"/>² level pixels
/// (tile (tx, ty) = level pixels [tx·T, (tx+1)·T) × [ty·T, (ty+1)·T), read with
/// <see cref="SlideImage.ReadLevelPixels"/>) kept in a <see cref="SlideTileCache"/>, so overlapping tiles,
/// repeated clicks in one region and re-reads after undo hit memory instead of OpenSlide. Thread-safe.
/// For integer level downsamples the pixels equal a direct read; for non-integer ones each tile's origin is
/// rounded to level 0 separately (see <see cref="SlideImage.ReadLevelPixels"/>).
/// </summary>
public sealed class CachedSlideReader : ISlideLevelReader
{
    public SlideImage Slide { get; }
    public SlideTileCache Cache { get; }
    public int TileSize { get; }

    public CachedSlideReader(SlideImage slide, SlideTileCache cache, int tileSize = 512)
    {
        ArgumentNullException.ThrowIfNull(slide);
        ArgumentNullException.ThrowIfNull(cache);
        if (tileSize is < 16 or > 4096) throw new ArgumentOutOfRangeException(nameof(tileSize), $"tile size must be in 16..4096, got {tileSize}");
        Slide = slide; Cache = cache; TileSize = tileSize;
    }

    public void ReadLevelPixels(int level, long lx, long ly, int width, int height, Span<byte> destination, CancellationToken cancellationToken = default)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"size {width}x{height} must be positive");
        if (destination.Length < (long)width * height * 3)
            throw new ArgumentException($"destination has {destination.Length} bytes; {width}x{height} RGB needs {(long)width * height * 3}", nameof(destination));
        int t = TileSize;
        long tx0 = FloorDiv(lx, t), ty0 = FloorDiv(ly, t);
        long tx1 = FloorDiv(lx + width - 1, t), ty1 = FloorDiv(ly + height - 1, t);
        for (long ty = ty0; ty <= ty1; ty++)
            for (long tx = tx0; tx <= tx1; tx++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var tile = GetTile(level, tx, ty);
                // Intersection of the tile with the requested rectangle, in level pixels.
                long ix0 = Math.Max(lx, tx * t), iy0 = Math.Max(ly, ty * t);
                long ix1 = Math.Min(lx + width, (tx + 1) * t), iy1 = Math.Min(ly + height, (ty + 1) * t);
                int rowBytes = (int)(ix1 - ix0) * 3;
                for (long y = iy0; y < iy1; y++)
                {
                    var srcRow = tile.AsSpan((int)(((y - ty * t) * t + (ix0 - tx * t)) * 3), rowBytes);
                    srcRow.CopyTo(destination.Slice((int)(((y - ly) * width + (ix0 - lx)) * 3), rowBytes));
                }
            }
    }

    private byte[] GetTile(int level, long tx, long ty)
    {
        var key = new SlideTileCache.Key(Slide.Id, level, tx, ty, TileSize);
        if (Cache.TryGet(key, out var pixels)) return pixels;
        pixels = new byte[TileSize * TileSize * 3];
        Slide.ReadLevelPixels(level, tx * TileSize, ty * TileSize, TileSize, TileSize, pixels);
        Cache.Add(key, pixels);
        return pixels;
    }

    private static long FloorDiv(long a, long b) => a >= 0 ? a / b : -((-a + b - 1) / b);
}
