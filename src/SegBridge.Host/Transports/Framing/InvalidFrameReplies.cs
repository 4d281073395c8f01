using System.Text.Json;
using NLog;
using StreamJsonRpc;
using StreamJsonRpc.Protocol;

namespace SegBridge.Host.Transports.Framing;

/// <summary>
/// The error replies for input that never reaches StreamJsonRpc: -32700 for bytes that are not a frame or not
/// JSON / MessagePack, -32600 for a well-formed message that is not a request. The reply carries the request's
/// id when one can be read and the message is a request; otherwise null, as JSON-RPC asks.
/// </summary>
internal static class InvalidFrameReplies
{
    private static readonly Logger Log = LogManager.GetCurrentClassLogger();

    public static bool IsFrameProblem(Exception e)
        => e is not (OperationCanceledException or EndOfStreamException or IOException or ObjectDisposedException);

    public static JsonRpcError ParseError(IJsonRpcMessageFactory factory, string problem)
        => Build(factory, JsonRpcErrorCode.ParseError, RequestId.Null, problem);

    public static JsonRpcError InvalidRequest(IJsonRpcMessageFactory factory, RequestId id, string problem)
        => Build(factory, JsonRpcErrorCode.InvalidRequest, id, problem);

    /// <summary>A body the formatter refused; <paramref name="json"/> is the body as JSON when it is JSON at all.</summary>
    public static JsonRpcError Undeserializable(IJsonRpcMessageFactory factory, Exception problem, ReadOnlyMemory<byte>? json)
    {
        if (json is not { } bytes) return ParseError(factory, $"message could not be parsed: {problem.Message}");
        JsonDocument doc;
        try { doc = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 256 }); }
        catch (JsonException e) { return ParseError(factory, $"message could not be parsed: {e.Message}"); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return InvalidRequest(factory, RequestId.Null, $"a JSON-RPC message is an object; this one is {Article(root.ValueKind)}");
            if (!root.TryGetProperty("method", out _))
                return root.TryGetProperty("result", out _) || root.TryGetProperty("error", out _)
                    ? InvalidRequest(factory, RequestId.Null, MessageScreen.ResponseProblem)
                    : InvalidRequest(factory, IdOf(root), MessageScreen.MissingMethodProblem);
            return InvalidRequest(factory, IdOf(root), $"invalid JSON-RPC request: {problem.Message}");
        }
    }

    private static JsonRpcError Build(IJsonRpcMessageFactory factory, JsonRpcErrorCode code, RequestId id, string problem)
    {
        var error = factory.CreateErrorMessage();
        error.RequestId = id.IsEmpty ? RequestId.Null : id;
        error.Error = new JsonRpcError.ErrorDetail { Code = code, Message = problem };
        Log.Warn("refused a malformed frame ({0}): {1}", (int)code, problem);
        return error;
    }

    private static RequestId IdOf(JsonElement message)
    {
        if (!message.TryGetProperty("id", out var id)) return RequestId.Null;
        if (id.ValueKind == JsonValueKind.Number && id.TryGetInt64(out var n)) return new RequestId(n);
        if (id.ValueKind == JsonValueKind.String) return new RequestId(id.GetString());
        return RequestId.Null;
    }

    private static string Article(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.Null => "null",
        _ => "a boolean",
    };
}
