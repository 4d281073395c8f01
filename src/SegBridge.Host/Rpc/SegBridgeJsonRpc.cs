using NLog;
using SegBridge.Protocol;
using SegBridge.Protocol.Messages;
using StreamJsonRpc;
using StreamJsonRpc.Protocol;

namespace SegBridge.Host.Rpc;

/// <summary>
/// JsonRpc with SegBridge's error mapping (stable codes, no stack traces to clients) and a count of
/// requests whose reply has not been written yet, so the stdio transport can finish them before exiting.
/// </summary>
internal sealed class SegBridgeJsonRpc(IJsonRpcMessageHandler handler) : JsonRpc(handler)
{
    private static readonly Logger Log = LogManager.GetCurrentClassLogger();
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
            return new JsonRpcError.ErrorDetail
            {
                Code = JsonRpcErrorCode.InvalidParams,
                Message = $"params of {request.Method} do not match its params object (see `segbridge protocol`): {e.Message}",
            };
        }
        if (e is OperationCanceledException)
            return new JsonRpcError.ErrorDetail { Code = JsonRpcErrorCode.RequestCanceled, Message = $"{request.Method} was cancelled" };
        Log.Error(e, "internal error in {0}", request.Method);
        return new JsonRpcError.ErrorDetail
        {
            Code = (JsonRpcErrorCode)ErrorCodes.InternalError,
            Message = $"internal error in {request.Method}: {e.GetType().Name}: {e.Message} (details in the engine log)",
            Data = new ErrorData { CodeName = nameof(ErrorCodes.InternalError) },
        };
    }

    protected override ValueTask<JsonRpcMessage> DispatchRequestAsync(JsonRpcRequest request, TargetMethod targetMethod, CancellationToken cancellationToken)
    {
        if (request.IsResponseExpected) _pending.TryAdd(request.RequestId, 0);
        return base.DispatchRequestAsync(request, targetMethod, cancellationToken);
    }

    protected override void OnResponseSent(JsonRpcMessage response)
    {
        base.OnResponseSent(response);
        var id = response switch { JsonRpcResult r => r.RequestId, JsonRpcError e => e.RequestId, _ => default };
        _pending.TryRemove(id, out _);
    }

    /// <summary>Waits until every request read so far has had its reply written.</summary>
    public async Task WaitForPendingRepliesAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (PendingReplies > 0 && DateTime.UtcNow < deadline) await Task.Delay(10);
    }
}
