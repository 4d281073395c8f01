using NLog;
using SegBridge.Protocol;
using SegBridge.Protocol.Messages;
using StreamJsonRpc;
using StreamJsonRpc.Protocol;

namespace SegBridge.Host.Rpc;

/// <summary>
/// JsonRpc with SegBridge's error mapping (stable codes, no stack traces to clients), a count of requests whose
/// reply has not been written yet, so transports can finish them before closing, and, once
/// its stopping token fires, an EngineStopping error for every new request instead of running it.
/// </summary>
internal sealed class SegBridgeJsonRpc : JsonRpc
{
    private static readonly Logger Log = LogManager.GetCurrentClassLogger();
    private readonly IJsonRpcMessageFactory _messages;
    private readonly CancellationToken _stopping;

    public SegBridgeJsonRpc(IJsonRpcMessageHandler handler, CancellationToken stopping) : base(handler)
    {
        _messages = (IJsonRpcMessageFactory)handler.Formatter;
        _stopping = stopping;
    }
    private readonly System.Collections.Concurrent.ConcurrentDictionary<RequestId, byte> _pending = new();

    public int PendingReplies => _pending.Count;

    protected override JsonRpcError.ErrorDetail CreateErrorDetails(JsonRpcRequest request, Exception exception)
    {
        var e = exception is System.Reflection.TargetInvocationException { InnerException: { } inner } ? inner : exception;
        if (e is ProtocolException pe)
        {
            Log.Info("{0} refused: {1} ({2})", request.Method, pe.Message, pe.Code);
            return new JsonRpcError.ErrorDetail { Code = (JsonRpcErrorCode)pe.Code, Message = pe.Message, Data = pe.Data };
        }
        // The engine itself parses no JSON or MessagePack at run time, so these come from binding the params object.
        if (e is System.Text.Json.JsonException or MessagePack.MessagePackSerializationException)
        {
            Log.Info("{0}: params did not bind: {1}", request.Method, e.Message);
            return ParamsBindingErrors.Describe(request, e);
        }
        if (e is OperationCanceledException)
            return new JsonRpcError.ErrorDetail { Code = JsonRpcErrorCode.RequestCanceled, Message = $"{request.Method} was cancelled" };
        // The reply could not be written because the connection is gone (e.g. cut off for not reading): no fault of
        // the engine's, and the error built here cannot reach the client either.
        if (e is Transports.ConnectionClosedException)
        {
            Log.Info("the reply to {0} was not sent: {1}", request.Method, e.Message);
            return new JsonRpcError.ErrorDetail { Code = (JsonRpcErrorCode)ErrorCodes.InternalError, Message = $"the reply to {request.Method} could not be sent: {e.Message}" };
        }
        Log.Error(e, "internal error in {0}", request.Method);
        return new JsonRpcError.ErrorDetail
        {
            Code = (JsonRpcErrorCode)ErrorCodes.InternalError,
            // The exception's own text can name the engine's files and types: it goes to the log, not to the client.
            Message = $"internal error in {request.Method} (a bug in the engine; its log has the details)",
            Data = new ErrorData { CodeName = nameof(ErrorCodes.InternalError) },
        };
    }

    protected override ValueTask<JsonRpcMessage> DispatchRequestAsync(JsonRpcRequest request, TargetMethod targetMethod, CancellationToken cancellationToken)
    {
        // Notifications still run while stopping: $/cancelRequest is one, and it helps the replies in flight finish.
        if (request.IsResponseExpected && _stopping.IsCancellationRequested) return new(StoppingError(request));
        if (request.IsResponseExpected) _pending.TryAdd(request.RequestId, 0);
        return base.DispatchRequestAsync(request, targetMethod, cancellationToken);
    }

    protected override void OnResponseSent(JsonRpcMessage response)
    {
        base.OnResponseSent(response);
        var id = response switch { JsonRpcResult r => r.RequestId, JsonRpcError e => e.RequestId, _ => default };
        _pending.TryRemove(id, out _);
    }

    private JsonRpcError StoppingError(JsonRpcRequest request)
    {
        Log.Info("{0} refused: the engine is stopping", request.Method);
        var error = _messages.CreateErrorMessage();
        error.RequestId = request.RequestId;
        error.Error = new JsonRpcError.ErrorDetail
        {
            Code = (JsonRpcErrorCode)ErrorCodes.EngineStopping,
            Message = $"{request.Method} was not run: the engine is stopping (it finishes the replies in flight and takes no new requests); reconnect once it runs again",
            Data = new ErrorData { CodeName = nameof(ErrorCodes.EngineStopping) },
        };
        return error;
    }

    /// <summary>Waits until every request read so far has had its reply written.</summary>
    public async Task WaitForPendingRepliesAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await WaitForPendingRepliesAsync(cts.Token);
    }

    /// <summary>Waits until every request read so far has had its reply written, or <paramref name="giveUp"/> fires; true when none is left.</summary>
    public async Task<bool> WaitForPendingRepliesAsync(CancellationToken giveUp)
    {
        while (PendingReplies > 0 && !giveUp.IsCancellationRequested)
        {
            try { await Task.Delay(10, giveUp); }
            catch (OperationCanceledException) { }
        }
        return PendingReplies == 0;
    }
}
