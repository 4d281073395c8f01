using System.Buffers.Binary;

namespace SegBridge.Host.Transports.Framing;

/// <summary>
/// Reads MessagePack frames: a 4-byte big-endian length, then that many bytes. A frame over the size limit is
/// refused and its body dropped unread, so the stream stays in step. A "length" over the limit that is not
/// followed by a MessagePack map (every JSON-RPC message is one) is not a length at all: the reader reports
/// it once and slides forward a byte at a time to the next believable prefix instead of waiting for
/// gigabytes that will never come.
/// </summary>
internal sealed class LengthPrefixFrameReader(Stream receive, long maxFrameBytes) : IDisposable
{
    private readonly ByteReader _in = new(receive);
    private bool _resynchronising;
    private long _skip;

    public async ValueTask<FrameRead> NextAsync(CancellationToken ct)
    {
        if (_skip > 0)
        {
            var want = _skip;
            _skip = 0;
            if (await _in.SkipAsync(want, ct) < want) return FrameRead.End;
        }
        while (true)
        {
            if (!await _in.EnsureAsync(4, ct)) return EndedInPrefix();
            var length = BinaryPrimitives.ReadUInt32BigEndian(_in.Peek(4));
            if (length == 0)
            {
                _in.Consume(4);
                _resynchronising = false;
                return FrameRead.Refused("empty frame (length prefix 0); a frame's body must hold a JSON-RPC message as a MessagePack map");
            }
            if (length <= maxFrameBytes)
            {
                _in.Consume(4);
                _resynchronising = false;
                var body = new byte[length];
                var got = await _in.ReadAsync(body, ct);
                return got < length ? FrameRead.Refused($"the stream ended {got} bytes into a frame of {length} bytes") : FrameRead.Frame(body);
            }
            if (!await _in.EnsureAsync(5, ct)) return EndedInPrefix();
            if (IsMapHeader(_in[4]))
            {
                _in.Consume(4);
                _skip = length;
                _resynchronising = false;
                return FrameRead.Refused($"frame of {length} bytes exceeds the limit of {maxFrameBytes} bytes (--max-frame-mb); it was skipped unread");
            }
            var prefix = Printable.Show(_in.Peek(4));
            _in.Consume(1);
            if (_resynchronising) continue;
            _resynchronising = true;
            return FrameRead.Refused($"'{prefix}' is not a length prefix: {length} bytes is over the limit of {maxFrameBytes} and no MessagePack map follows; skipping to the next frame");
        }
    }

    private FrameRead EndedInPrefix()
    {
        if (_in.Buffered == 0) return FrameRead.End;
        var problem = $"the stream ended inside a length prefix ({_in.Buffered} of 4 bytes)";
        _in.Consume(_in.Buffered);
        return FrameRead.Refused(problem);
    }

    /// <summary>fixmap, map16 or map32.</summary>
    private static bool IsMapHeader(byte b) => b is >= 0x80 and <= 0x8F or 0xDE or 0xDF;

    public void Dispose() => _in.Dispose();
}
