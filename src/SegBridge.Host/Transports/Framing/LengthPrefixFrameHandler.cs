using System.Buffers;
using System.Buffers.Binary;
using StreamJsonRpc;
using StreamJsonRpc.Protocol;

namespace SegBridge.Host.Transports.Framing;

/// <summary>MessagePack with a 4-byte big-endian length prefix, read by <see cref="LengthPrefixFrameReader"/>.</summary>
internal sealed class LengthPrefixFrameHandler(Stream send, Stream receive, MessagePackFormatter formatter, long maxFrameBytes)
    : FramedStreamHandler(send, formatter)
{
    private readonly LengthPrefixFrameReader _reader = new(receive, maxFrameBytes);

    protected override ValueTask<FrameRead> ReadFrameAsync(CancellationToken ct) => _reader.NextAsync(ct);

    protected override JsonRpcMessage Deserialize(byte[] body) => Formatter.Deserialize(new ReadOnlySequence<byte>(MissingParams.Add(body)));

    protected override ReadOnlyMemory<byte>? AsJson(byte[] body)
    {
        try { return System.Text.Encoding.UTF8.GetBytes(MessagePack.MessagePackSerializer.ConvertToJson(body)); }
        catch (Exception e) when (e is MessagePack.MessagePackSerializationException or EndOfStreamException or InvalidOperationException or OverflowException) { return null; }
    }

    protected override byte[] FrameHeader(int bodyLength)
    {
        var prefix = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(prefix, (uint)bodyLength);
        return prefix;
    }

    protected override void DisposeReceive() => _reader.Dispose();
}
