namespace SegBridge.Host.Transports.Framing;

/// <summary>
/// A read buffer over a stream that lets the frame readers look ahead (at a header name, at the byte after a
/// length prefix) before deciding what the bytes are, and tells them when nothing more is buffered, so junk
/// can be reported before the next read blocks.
/// </summary>
internal sealed class ByteReader(Stream inner, int capacity = 64 * 1024) : IDisposable
{
    private readonly byte[] _buffer = new byte[capacity];
    private int _start, _end;

    /// <summary>Bytes read from the stream and not consumed yet.</summary>
    public int Buffered => _end - _start;

    public bool AtEnd { get; private set; }

    public byte this[int index] => _buffer[_start + index];

    public ReadOnlySpan<byte> Peek(int count) => _buffer.AsSpan(_start, Math.Min(count, Buffered));

    public void Consume(int count) => _start += Math.Min(count, Buffered);

    /// <summary>Reads until at least <paramref name="count"/> bytes are buffered; false when the stream ends first.</summary>
    public async ValueTask<bool> EnsureAsync(int count, CancellationToken ct)
    {
        if (count > _buffer.Length) throw new ArgumentOutOfRangeException(nameof(count), $"at most {_buffer.Length} bytes can be looked at");
        while (Buffered < count)
        {
            if (AtEnd) return false;
            if (_start == _end) _start = _end = 0;
            else if (_start > 0 && _buffer.Length - _end < count - Buffered)
            {
                _buffer.AsSpan(_start, Buffered).CopyTo(_buffer);
                _end = Buffered;
                _start = 0;
            }
            var n = await inner.ReadAsync(_buffer.AsMemory(_end), ct);
            if (n == 0) AtEnd = true;
            _end += n;
        }
        return true;
    }

    /// <summary>Fills <paramref name="target"/> from the buffer, then the stream; the count read (short only at end of stream).</summary>
    public async ValueTask<int> ReadAsync(Memory<byte> target, CancellationToken ct)
    {
        int taken = Math.Min(Buffered, target.Length);
        _buffer.AsSpan(_start, taken).CopyTo(target.Span);
        _start += taken;
        while (taken < target.Length && !AtEnd)
        {
            var n = await inner.ReadAsync(target[taken..], ct);
            if (n == 0) AtEnd = true;
            taken += n;
        }
        return taken;
    }

    /// <summary>Reads and drops <paramref name="count"/> bytes; the count dropped (short only at end of stream).</summary>
    public async ValueTask<long> SkipAsync(long count, CancellationToken ct)
    {
        long skipped = Math.Min(Buffered, count);
        _start += (int)skipped;
        while (skipped < count && !AtEnd)
        {
            _start = _end = 0;
            var n = await inner.ReadAsync(_buffer.AsMemory(0, (int)Math.Min(_buffer.Length, count - skipped)), ct);
            if (n == 0) AtEnd = true;
            skipped += n;
        }
        return skipped;
    }

    public void Dispose() => inner.Dispose();
}
