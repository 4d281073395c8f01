using System.Buffers;
using System.Net.WebSockets;
using StreamJsonRpc;
using StreamJsonRpc.Protocol;

namespace SegBridge.Host.Transports.Framing;

/// <summary>
/// One JSON-RPC message per WebSocket message (text; a binary message holding UTF-8 JSON is read the same way).
/// StreamJsonRpc's own <c>WebSocketMessageHandler</c> ends the connection when a message does not deserialize
/// or is not a request; this one answers those with -32700/-32600 (see <see cref="InvalidFrameReplies"/> and
/// <see cref="MessageScreen"/>) and keeps reading, like the stream transports, and refuses messages over the
/// size limit without buffering them. Replies go to <paramref name="send"/>, one message per write, so that a
/// bounded queue can stand between them and the socket (see <see cref="BoundedWriteStream"/>).
/// </summary>
internal sealed class WebSocketFrameHandler(WebSocket socket, Stream send, SystemTextJsonFormatter formatter, long maxMessageBytes)
    : MessageHandlerBase(formatter)
{
    private readonly byte[] _discard = new byte[64 * 1024];

    public override bool CanRead => true;
    public override bool CanWrite => true;

    private IJsonRpcMessageFactory Factory => (IJsonRpcMessageFactory)Formatter;

    protected override async ValueTask<JsonRpcMessage?> ReadCoreAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var body = new ArrayBufferWriter<byte>(16 * 1024); // fresh per message: the parsed message may keep slices of it
            long total = 0;
            bool tooBig = false;
            ValueWebSocketReceiveResult received;
            do
            {
                if (socket.State is not (WebSocketState.Open or WebSocketState.CloseSent)) return null;
                var target = tooBig ? _discard.AsMemory() : body.GetMemory(64 * 1024);
                received = await socket.ReceiveAsync(target, cancellationToken);
                if (received.MessageType == WebSocketMessageType.Close) return null;
                total += received.Count;
                if (tooBig) continue;
                if (total > maxMessageBytes) tooBig = true;
                else body.Advance(received.Count);
            } while (!received.EndOfMessage);

            if (tooBig)
            {
                await WriteAsync(InvalidFrameReplies.ParseError(Factory, $"message of {total} bytes exceeds the limit of {maxMessageBytes} bytes (--max-frame-mb)"), cancellationToken);
                continue;
            }
            var (message, refusal) = Screen(body.WrittenMemory);
            if (message is not null) return message;
            await WriteAsync(refusal!, cancellationToken);
        }
    }

    private (JsonRpcMessage? Message, JsonRpcError? Refusal) Screen(ReadOnlyMemory<byte> body)
    {
        JsonRpcMessage message;
        try { message = Formatter.Deserialize(new ReadOnlySequence<byte>(body)); }
        catch (Exception e) when (InvalidFrameReplies.IsFrameProblem(e)) { return (null, InvalidFrameReplies.Undeserializable(Factory, e, body)); }
        if (MessageScreen.Check(message) is not { } bad) return (message, null);
        return (null, InvalidFrameReplies.InvalidRequest(Factory, bad.Id, bad.Problem));
    }

    protected override ValueTask WriteCoreAsync(JsonRpcMessage content, CancellationToken cancellationToken)
    {
        content = Rpc.ParamsBindingErrors.InProtocolTerms(content);
        var body = new ArrayBufferWriter<byte>();
        Formatter.Serialize(body, content);
        send.Write(body.WrittenSpan);
        return ValueTask.CompletedTask;
    }

    protected override ValueTask FlushAsync(CancellationToken cancellationToken) => new(send.FlushAsync(cancellationToken));

    protected override void Dispose(bool disposing)
    {
        if (disposing) send.Dispose(); // lets the replies still queued go out
        base.Dispose(disposing);
    }
}
