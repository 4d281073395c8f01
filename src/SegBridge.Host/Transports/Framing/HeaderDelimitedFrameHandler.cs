using System.Buffers;
using System.Text;
using StreamJsonRpc;
using StreamJsonRpc.Protocol;

namespace SegBridge.Host.Transports.Framing;

/// <summary>JSON with LSP Content-Length headers, read by <see cref="HeaderFrameReader"/>.</summary>
internal sealed class HeaderDelimitedFrameHandler(Stream send, Stream receive, SystemTextJsonFormatter formatter, long maxFrameBytes)
    : FramedStreamHandler(send, formatter)
{
    private readonly HeaderFrameReader _reader = new(receive, maxFrameBytes);

    protected override ValueTask<FrameRead> ReadFrameAsync(CancellationToken ct) => _reader.NextAsync(ct);

    protected override JsonRpcMessage Deserialize(byte[] body) => Formatter.Deserialize(new ReadOnlySequence<byte>(body));

    protected override ReadOnlyMemory<byte>? AsJson(byte[] body) => body;

    protected override void OnUndeserializable() => _reader.Resynchronise();

    protected override byte[] FrameHeader(int bodyLength) => Encoding.ASCII.GetBytes($"Content-Length: {bodyLength}\r\n\r\n");

    protected override void DisposeReceive() => _reader.Dispose();
}
