using System.Text.Json;
using NLog;
using StreamJsonRpc;
using StreamJsonRpc.Protocol;

namespace SegBridge.Host.Rpc;

/// <summary>
/// StreamJsonRpc ends the whole connection when one frame fails to deserialize. A viewer that sends
/// one bad message should get a JSON-RPC error for it and keep its session, so the framing handlers
/// below catch the failure, answer with -32700 (not JSON) or -32600 (JSON, but not a valid request),
/// echoing the request id when one can be read, and go on reading.
/// </summary>
internal static class InvalidFrameReplies
{
    private static readonly Logger Log = LogManager.GetCurrentClassLogger();

    public static bool IsFrameProblem(Exception e)
        => e is not (OperationCanceledException or EndOfStreamException or IOException or ObjectDisposedException);

    public static JsonRpcError Build(IJsonRpcMessageFactory factory, Exception problem, ReadOnlyMemory<byte>? frame)
    {
        var (isJson, id) = frame is { } bytes ? Inspect(bytes) : (false, RequestId.Null);
        var error = factory.CreateErrorMessage();
        error.RequestId = id;
        error.Error = new JsonRpcError.ErrorDetail
        {
            Code = isJson ? JsonRpcErrorCode.InvalidRequest : JsonRpcErrorCode.ParseError,
            Message = isJson ? $"invalid JSON-RPC request: {problem.Message}" : $"message could not be parsed: {problem.Message}",
        };
        Log.Warn("refused a malformed frame: {0}", problem.Message);
        return error;
    }

    public static void LogSkippedHeader(string line)
        => Log.Warn("skipped a header line that is not 'Name: value': '{0}'", line.Length > 60 ? line[..60] + "…" : line);

    /// <summary>Whether the frame is JSON at all, and the request id if it carries a usable one.</summary>
    private static (bool IsJson, RequestId Id) Inspect(ReadOnlyMemory<byte> frame)
    {
        try
        {
            using var doc = JsonDocument.Parse(frame, new JsonDocumentOptions { MaxDepth = 256 });
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("id", out var id))
            {
                if (id.ValueKind == JsonValueKind.Number && id.TryGetInt64(out var n)) return (true, new RequestId(n));
                if (id.ValueKind == JsonValueKind.String) return (true, new RequestId(id.GetString()));
            }
            return (true, RequestId.Null);
        }
        catch (JsonException) { return (false, RequestId.Null); }
    }
}
