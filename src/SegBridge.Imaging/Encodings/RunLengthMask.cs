using SegBridge.Imaging.Rasters;

namespace SegBridge.Imaging.Encodings;

/// <summary>
/// A binary mask kept as maximal foreground runs per row, filled top to bottom one row at a time, with
/// 4-connected components tracked as rows arrive (union-find over runs). Memory grows with the number of
/// runs — i.e. with the length of the outlines — plus 4 bytes per row, not with the area: a 100 000 × 100 000
/// mask of a few tissue blobs takes kilobytes where a byte raster takes 10 GB. <see cref="RunLengthTracer"/>
/// turns it into the same polygons <see cref="MaskPolygons.Trace"/> gives for the equivalent raster.
/// </summary>
public sealed class RunLengthMask
{
    private readonly int[] _rowStart; // runs of row y are [_rowStart[y], _rowStart[y + 1])
    private readonly List<int> _starts = [], _ends = [], _parent = [];
    private int _rows;

    public int Width { get; }
    public int Height { get; }
    public int RunCount => _starts.Count;
    public int RowsAdded => _rows;
    /// <summary>Bytes held by the run lists and row index (capacity included), for memory reports.</summary>
    public long ApproximateBytes => _rowStart.LongLength * 4 + 12L * _starts.Capacity;

    public RunLengthMask(int width, int height)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"mask size {width}x{height} must be positive");
        Width = width; Height = height;
        _rowStart = new int[height + 1];
    }

    /// <summary>Appends the next row: pixels with value ≥ <paramref name="threshold"/> are foreground.</summary>
    public void AddRow(ReadOnlySpan<float> row, float threshold)
    {
        CheckRow(row.Length);
        for (int x = 0; x < row.Length;)
        {
            if (row[x] < threshold) { x++; continue; }
            int a = x;
            while (x < row.Length && row[x] >= threshold) x++;
            _starts.Add(a); _ends.Add(x); _parent.Add(_parent.Count);
        }
        CloseRow();
    }

    /// <summary>Appends the next row: nonzero bytes are foreground.</summary>
    public void AddRow(ReadOnlySpan<byte> row)
    {
        CheckRow(row.Length);
        for (int x = 0; x < row.Length;)
        {
            if (row[x] == 0) { x++; continue; }
            int a = x;
            while (x < row.Length && row[x] != 0) x++;
            _starts.Add(a); _ends.Add(x); _parent.Add(_parent.Count);
        }
        CloseRow();
    }

    public static RunLengthMask FromMask(Mask mask)
    {
        var runs = new RunLengthMask(mask.Width, mask.Height);
        for (int y = 0; y < mask.Height; y++) runs.AddRow(mask.Data.AsSpan(y * mask.Width, mask.Width));
        return runs;
    }

    private void CheckRow(int length)
    {
        if (_rows >= Height) throw new InvalidOperationException($"all {Height} rows have been added");
        if (length != Width) throw new ArgumentException($"row has {length} pixels; the mask is {Width} wide", nameof(length));
    }

    /// <summary>Ends the row: joins each new run with the runs of the previous row it shares a column with.</summary>
    private void CloseRow()
    {
        int y = _rows++;
        _rowStart[y + 1] = _starts.Count;
        if (y == 0) return;
        int i = _rowStart[y - 1], iEnd = _rowStart[y], j = _rowStart[y], jEnd = _rowStart[y + 1];
        while (i < iEnd && j < jEnd)
        {
            if (Math.Max(_starts[i], _starts[j]) < Math.Min(_ends[i], _ends[j])) Union(i, j);
            if (_ends[i] < _ends[j]) i++; else j++;
        }
    }

    public int RunStart(int run) => _starts[run];
    public int RunEnd(int run) => _ends[run];
    public int FirstRun(int y) => _rowStart[y];
    public int EndRun(int y) => _rowStart[y + 1];

    /// <summary>The run covering pixel (x, y), or -1 (also outside the mask or in rows not added yet).</summary>
    public int RunAt(int x, int y)
    {
        if (y < 0 || y >= _rows || x < 0 || x >= Width) return -1;
        int lo = _rowStart[y], hi = _rowStart[y + 1] - 1, found = -1;
        while (lo <= hi) // last run with start ≤ x
        {
            int mid = (lo + hi) >>> 1;
            if (_starts[mid] <= x) { found = mid; lo = mid + 1; } else hi = mid - 1;
        }
        return found >= 0 && x < _ends[found] ? found : -1;
    }

    public bool this[int x, int y] => RunAt(x, y) >= 0;

    /// <summary>The 4-connected component of a run (a representative run index).</summary>
    public int Component(int run)
    {
        int r = run;
        while (_parent[r] != r) r = _parent[r];
        while (_parent[run] != r) { int next = _parent[run]; _parent[run] = r; run = next; }
        return r;
    }

    private void Union(int a, int b)
    {
        int ra = Component(a), rb = Component(b);
        if (ra != rb) _parent[Math.Max(ra, rb)] = Math.Min(ra, rb); // smaller index = earlier in raster order
    }

    /// <summary>Smallest run boundary (start or end) in row y strictly greater than x, or int.MaxValue.</summary>
    internal int NextBoundary(int y, int x)
    {
        if (y < 0 || y >= _rows) return int.MaxValue;
        int best = int.MaxValue;
        for (int lo = _rowStart[y], hi = _rowStart[y + 1] - 1; lo <= hi;)
        {
            int mid = (lo + hi) >>> 1;
            if (_ends[mid] > x) { best = Math.Min(best, _starts[mid] > x ? _starts[mid] : _ends[mid]); hi = mid - 1; }
            else lo = mid + 1;
        }
        return best;
    }

    /// <summary>Largest run boundary (start or end) in row y strictly less than x, or int.MinValue.</summary>
    internal int PreviousBoundary(int y, int x)
    {
        if (y < 0 || y >= _rows) return int.MinValue;
        int best = int.MinValue;
        for (int lo = _rowStart[y], hi = _rowStart[y + 1] - 1; lo <= hi;)
        {
            int mid = (lo + hi) >>> 1;
            if (_starts[mid] < x) { best = Math.Max(best, _ends[mid] < x ? _ends[mid] : _starts[mid]); lo = mid + 1; }
            else hi = mid - 1;
        }
        return best;
    }

    /// <summary>The mask as a byte raster (tests and small masks only: this is the W×H allocation the runs avoid).</summary>
    public Mask ToMask()
    {
        var mask = new Mask(Width, Height);
        for (int y = 0; y < _rows; y++)
            for (int r = _rowStart[y]; r < _rowStart[y + 1]; r++)
                mask.Data.AsSpan(y * Width + _starts[r], _ends[r] - _starts[r]).Fill(1);
        return mask;
    }

    public long CountForeground()
    {
        long n = 0;
        for (int r = 0; r < _starts.Count; r++) n += _ends[r] - _starts[r];
        return n;
    }
}
