using System.Buffers;
using System.Net.WebSockets;
using StreamJsonRpc;
using StreamJsonRpc.Protocol;

namespace SegBridge.Host.Rpc;

/// <summary>
/// One JSON-RPC message per WebSocket message (text; a binary message holding UTF-8 JSON is read the same way).
/// StreamJsonRpc's own <c>WebSocketMessageHandler</c> ends the connection when a message does not deserialize;
/// this one answers it with -32700/-32600 through <see cref="InvalidFrameReplies"/> and keeps reading, like the
/// stream transports, and refuses messages over the size limit without buffering them.
/// </summary>
internal sealed class TolerantWebSocketHandler(WebSocket socket, SystemTextJsonFormatter formatter, long maxMessageBytes)
    : MessageHandlerBase(formatter)
{
    private readonly byte[] _discard = new byte[64 * 1024];

    public override bool CanRead => true;
    public override bool CanWrite => true;

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
                await WriteAsync(InvalidFrameReplies.Build((IJsonRpcMessageFactory)Formatter,
                    new InvalidDataException($"message of {total} bytes exceeds the limit of {maxMessageBytes} bytes"), null), cancellationToken);
                continue;
            }
            try { return Formatter.Deserialize(new ReadOnlySequence<byte>(body.WrittenMemory)); }
            catch (Exception e) when (InvalidFrameReplies.IsFrameProblem(e))
            {
                await WriteAsync(InvalidFrameReplies.Build((IJsonRpcMessageFactory)Formatter, e, body.WrittenMemory), cancellationToken);
            }
        }
    }

    protected override async ValueTask WriteCoreAsync(JsonRpcMessage content, CancellationToken cancellationToken)
    {
        var body = new ArrayBufferWriter<byte>();
        Formatter.Serialize(body, content);
        await socket.SendAsync(body.WrittenMemory, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
    }

    protected override ValueTask FlushAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
