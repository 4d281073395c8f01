using System.Buffers;
using System.Runtime.InteropServices;
using StreamJsonRpc;
using StreamJsonRpc.Protocol;

namespace SegBridge.Host.Transports.Framing;

/// <summary>
/// The framing layer in front of StreamJsonRpc for a stream transport. A frame reader of our own parses the
/// framing; only well-formed requests go on to the dispatcher, and everything else is answered here with a
/// JSON-RPC error, after which reading goes on. No input can end the connection: only the end of the stream does.
/// </summary>
internal abstract class FramedStreamHandler(Stream send, IJsonRpcMessageFormatter formatter) : MessageHandlerBase(formatter)
{
    public override bool CanRead => true;
    public override bool CanWrite => true;

    private IJsonRpcMessageFactory Factory => (IJsonRpcMessageFactory)Formatter;

    protected abstract ValueTask<FrameRead> ReadFrameAsync(CancellationToken ct);

    protected abstract JsonRpcMessage Deserialize(byte[] body);

    /// <summary>The body as JSON text, to tell a non-request from bytes that are not a message at all; null when it cannot be.</summary>
    protected abstract ReadOnlyMemory<byte>? AsJson(byte[] body);

    /// <summary>Called when a body did not deserialize (its frame may have had a wrong length).</summary>
    protected virtual void OnUndeserializable() { }

    protected abstract byte[] FrameHeader(int bodyLength);

    protected override async ValueTask<JsonRpcMessage?> ReadCoreAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var frame = await ReadFrameAsync(cancellationToken);
            if (frame.IsEnd) return null;
            JsonRpcError refusal;
            if (frame.Problem is { } problem) refusal = InvalidFrameReplies.ParseError(Factory, problem);
            else
            {
                var (message, refused) = Screen(frame.Body!);
                if (message is not null) return message;
                refusal = refused!;
            }
            await WriteAsync(refusal, cancellationToken);
        }
    }

    private (JsonRpcMessage? Message, JsonRpcError? Refusal) Screen(byte[] body)
    {
        JsonRpcMessage message;
        try { message = Deserialize(body); }
        catch (Exception e) when (InvalidFrameReplies.IsFrameProblem(e))
        {
            OnUndeserializable();
            return (null, InvalidFrameReplies.Undeserializable(Factory, e, AsJson(body)));
        }
        if (MessageScreen.Check(message) is not { } bad) return (message, null);
        return (null, InvalidFrameReplies.InvalidRequest(Factory, bad.Id, bad.Problem));
    }

    /// <summary>Room kept before the body for the frame header, so header and body go out in one write.</summary>
    private const int HeaderRoom = 64;

    protected override ValueTask WriteCoreAsync(JsonRpcMessage content, CancellationToken cancellationToken)
    {
        content = Rpc.ParamsBindingErrors.InProtocolTerms(content);
        // One write per frame: a bounded write queue (see BoundedWriteStream) then sees whole frames.
        var frame = new ArrayBufferWriter<byte>();
        frame.GetSpan(HeaderRoom);
        frame.Advance(HeaderRoom);
        Formatter.Serialize(frame, content);
        var header = FrameHeader(frame.WrittenCount - HeaderRoom);
        var span = MemoryMarshal.AsMemory(frame.WrittenMemory).Span;
        header.CopyTo(span[(HeaderRoom - header.Length)..]);
        send.Write(span[(HeaderRoom - header.Length)..]);
        return ValueTask.CompletedTask;
    }

    protected override ValueTask FlushAsync(CancellationToken cancellationToken) => new(send.FlushAsync(cancellationToken));

    protected abstract void DisposeReceive();

    protected override void Dispose(bool disposing)
    {
        if (disposing) { DisposeReceive(); send.Dispose(); }
        base.Dispose(disposing);
    }
}
