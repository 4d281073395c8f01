using System.Net.WebSockets;

namespace SegBridge.Host.Transports;

/// <summary>
/// The send side of a WebSocket as a stream: each write is one whole text message. It lets a WebSocket connection
/// write through the same bounded queue as a pipe connection (<see cref="BoundedWriteStream"/>). Disposing it
/// leaves the socket open: the server closes it with a close handshake.
/// </summary>
internal sealed class WebSocketMessageStream(WebSocket socket) : Stream
{
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        => socket.SendAsync(buffer, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();
    public override void Flush() { }
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
