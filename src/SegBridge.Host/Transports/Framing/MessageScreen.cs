using StreamJsonRpc;
using StreamJsonRpc.Protocol;

namespace SegBridge.Host.Transports.Framing;

/// <summary>
/// What StreamJsonRpc must never be handed: it ends the connection (on stdio, the engine) when a client sends a
/// response it has no request for, or a request without a method. The engine only notifies its clients and
/// never asks them anything, so every response from a client is unsolicited.
/// </summary>
internal static class MessageScreen
{
    public const string ResponseProblem = "the message is a response (it has \"result\" or \"error\" and no \"method\"); " +
                                          "the engine sends its clients no requests, so it takes requests and notifications only";

    public const string MissingMethodProblem = "a request needs \"method\": a non-empty string naming one of the engine's methods (see `segbridge protocol`)";

    /// <summary>Null for a request the dispatcher can take; else the id to answer with and why it is refused.</summary>
    public static (RequestId Id, string Problem)? Check(JsonRpcMessage message) => message switch
    {
        JsonRpcRequest { Method: null or "" } request => (request.RequestId, MissingMethodProblem),
        JsonRpcRequest => null,
        JsonRpcResult or JsonRpcError => (RequestId.Null, ResponseProblem),
        _ => (RequestId.Null, $"a {message.GetType().Name} is not a request"),
    };
}
