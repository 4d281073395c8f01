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
    private int _pending;

    public int PendingReplies => Volatile.Read(ref _pending);

    protected override JsonRpcError.ErrorDetail CreateErrorDetails(JsonRpcRequest request, Exception exception)
    {
        var e = exception is System.Reflection.TargetInvocationException { InnerException: { } inner } ? inner : exception;
        if (e is ProtocolException pe)
        {
            Log.Info("{0} refused: {1} ({2})", request.Method, pe.Message, pe.Code);
            return new JsonRpcError.ErrorDetail { Code = (JsonRpcErrorCode)pe.Code, Message = pe.Message, Data = pe.Data };
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

    protected override async ValueTask<JsonRpcMessage> DispatchIncomingRequestAsync(JsonRpcRequest request)
    {
        if (request.IsResponseExpected) Interlocked.Increment(ref _pending);
        return await base.DispatchIncomingRequestAsync(request);
    }

    protected override void OnResponseSent(JsonRpcMessage response)
    {
        base.OnResponseSent(response);
        if (response is JsonRpcResult or JsonRpcError) Interlocked.Decrement(ref _pending);
    }

    /// <summary>Waits until every request read so far has had its reply written.</summary>
    public async Task WaitForPendingRepliesAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (PendingReplies > 0 && DateTime.UtcNow < deadline) await Task.Delay(10);
    }
}
