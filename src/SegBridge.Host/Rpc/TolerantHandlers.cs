using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using StreamJsonRpc;
using StreamJsonRpc.Protocol;

namespace SegBridge.Host.Rpc;

/// <summary>
/// A framed duplex stream: each message is written as a frame header (from <see cref="FrameHeader"/>)
/// and the formatter's bytes. The two framings below differ only in that header and in how they read.
/// </summary>
internal abstract class FramedStreamHandler(Stream send, IJsonRpcMessageFormatter formatter) : MessageHandlerBase(formatter)
{
    protected Stream Send { get; } = send;

    public override bool CanRead => true;
    public override bool CanWrite => true;

    protected abstract byte[] FrameHeader(int bodyLength);

    protected override ValueTask WriteCoreAsync(JsonRpcMessage content, CancellationToken cancellationToken)
    {
        var body = new ArrayBufferWriter<byte>();
        Formatter.Serialize(body, content);
        Send.Write(FrameHeader(body.WrittenCount));
        Send.Write(body.WrittenSpan);
        return ValueTask.CompletedTask;
    }

    protected override ValueTask FlushAsync(CancellationToken cancellationToken) => new(Send.FlushAsync(cancellationToken));

    protected abstract void DisposeReceive();

    protected override void Dispose(bool disposing)
    {
        if (disposing) { DisposeReceive(); Send.Dispose(); }
        base.Dispose(disposing);
    }
}

/// <summary>
/// Content-Length framing that survives a bad frame (see <see cref="InvalidFrameReplies"/>) and
/// refuses frames over a size limit before buffering them.
/// </summary>
internal sealed class TolerantHeaderDelimitedHandler(Stream send, Stream receive, SystemTextJsonFormatter formatter, long maxFrameBytes)
    : FramedStreamHandler(send, formatter)
{
    private readonly Stream _receive = new BufferedStream(receive, 64 * 1024); // header bytes are read one at a time
    private readonly byte[] _header = new byte[256];

    protected override async ValueTask<JsonRpcMessage?> ReadCoreAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var length = await ReadHeadersAsync(cancellationToken);
            if (length is null) return null;
            if (length > maxFrameBytes)
            {
                await SkipAsync(length.Value, cancellationToken);
                await WriteAsync(InvalidFrameReplies.Build((IJsonRpcMessageFactory)Formatter,
                    new InvalidDataException($"frame of {length} bytes exceeds the limit of {maxFrameBytes} bytes"), null), cancellationToken);
                continue;
            }
            var body = new byte[length.Value];
            await _receive.ReadExactlyAsync(body, cancellationToken);
            try { return Formatter.Deserialize(new ReadOnlySequence<byte>(body)); }
            catch (Exception e) when (InvalidFrameReplies.IsFrameProblem(e))
            {
                await WriteAsync(InvalidFrameReplies.Build((IJsonRpcMessageFactory)Formatter, e, body), cancellationToken);
            }
        }
    }

    /// <summary>Reads header lines up to the blank line; returns Content-Length, or null at a clean end of stream.</summary>
    private async ValueTask<long?> ReadHeadersAsync(CancellationToken ct)
    {
        long? length = null;
        while (true)
        {
            var line = await ReadLineAsync(ct);
            if (line is null) return null;
            if (line.Length == 0)
            {
                if (length is not null) return length;
                continue; // tolerate blank lines between frames
            }
            var colon = line.IndexOf(':');
            if (colon > 0 && line[..colon].Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
                && long.TryParse(line[(colon + 1)..].Trim(), out var n) && n >= 0)
                length = n;
            else if (colon <= 0)
                InvalidFrameReplies.LogSkippedHeader(line); // garbage between frames: skip it and resynchronise on the next header
        }
    }

    private async ValueTask<string?> ReadLineAsync(CancellationToken ct)
    {
        int count = 0;
        var one = new byte[1];
        while (true)
        {
            if (await _receive.ReadAsync(one, ct) == 0)
                return count == 0 ? null : throw new EndOfStreamException("stream ended inside a header");
            if (one[0] == (byte)'\n') break;
            if (count < _header.Length) _header[count++] = one[0]; // an over-long line is cut, then skipped as garbage
        }
        if (count > 0 && _header[count - 1] == (byte)'\r') count--;
        return Encoding.ASCII.GetString(_header, 0, count);
    }

    private async ValueTask SkipAsync(long length, CancellationToken ct)
    {
        var buffer = new byte[81920];
        while (length > 0)
        {
            var n = await _receive.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, length)), ct);
            if (n == 0) throw new EndOfStreamException();
            length -= n;
        }
    }

    protected override byte[] FrameHeader(int bodyLength) => Encoding.ASCII.GetBytes($"Content-Length: {bodyLength}\r\n\r\n");

    protected override void DisposeReceive() => _receive.Dispose();
}

/// <summary>MessagePack with a 4-byte big-endian length prefix, surviving a bad frame the same way.</summary>
internal sealed class TolerantLengthHeaderHandler(Stream send, Stream receive, MessagePackFormatter formatter, long maxFrameBytes)
    : FramedStreamHandler(send, formatter)
{
    private readonly Stream _receive = new BufferedStream(receive, 64 * 1024); // the 4-byte prefixes are small reads

    protected override async ValueTask<JsonRpcMessage?> ReadCoreAsync(CancellationToken cancellationToken)
    {
        var prefix = new byte[4];
        while (true)
        {
            int got = 0;
            while (got < 4)
            {
                var n = await _receive.ReadAsync(prefix.AsMemory(got), cancellationToken);
                if (n == 0) return got == 0 ? null : throw new EndOfStreamException("stream ended inside a length prefix");
                got += n;
            }
            var length = BinaryPrimitives.ReadUInt32BigEndian(prefix);
            if (length > maxFrameBytes)
                throw new InvalidDataException($"frame of {length} bytes exceeds the limit of {maxFrameBytes} bytes; closing (a MessagePack stream cannot be resynchronised)");
            var body = new byte[length];
            await _receive.ReadExactlyAsync(body, cancellationToken);
            try { return Formatter.Deserialize(new ReadOnlySequence<byte>(WithParams(body))); }
            catch (Exception e) when (InvalidFrameReplies.IsFrameProblem(e))
            {
                await WriteAsync(InvalidFrameReplies.Build((IJsonRpcMessageFactory)Formatter, e, null), cancellationToken);
            }
        }
    }

    /// <summary>
    /// JSON-RPC lets a request omit params, but StreamJsonRpc's MessagePack formatter then fails an internal
    /// assertion when binding arguments. A top-level map with "method" and no "params" gets an empty params map.
    /// </summary>
    private static byte[] WithParams(byte[] body)
    {
        // A frame too broken to scan is left as it is: the formatter then reports it as a bad frame.
        try { return AddMissingParams(body); }
        catch (Exception e) when (e is EndOfStreamException or MessagePack.MessagePackSerializationException or InvalidOperationException or OverflowException) { return body; }
    }

    private static byte[] AddMissingParams(byte[] body)
    {
        var reader = new MessagePack.MessagePackReader(body);
        if (reader.NextMessagePackType != MessagePack.MessagePackType.Map) return body;
        int count = reader.ReadMapHeader();
        bool hasMethod = false;
        for (int i = 0; i < count; i++)
        {
            if (reader.NextMessagePackType != MessagePack.MessagePackType.String) return body;
            var key = reader.ReadString();
            if (key == "params") return body;
            hasMethod |= key == "method";
            reader.Skip();
        }
        if (!hasMethod) return body;

        var output = new ArrayBufferWriter<byte>(body.Length + 16);
        var writer = new MessagePack.MessagePackWriter(output);
        var copy = new MessagePack.MessagePackReader(body);
        copy.ReadMapHeader();
        writer.WriteMapHeader(count + 1);
        for (int i = 0; i < 2 * count; i++) writer.WriteRaw(copy.ReadRaw());
        writer.Write("params");
        writer.WriteMapHeader(0);
        writer.Flush();
        return output.WrittenSpan.ToArray();
    }

    protected override byte[] FrameHeader(int bodyLength)
    {
        var prefix = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(prefix, (uint)bodyLength);
        return prefix;
    }

    protected override void DisposeReceive() => _receive.Dispose();
}
