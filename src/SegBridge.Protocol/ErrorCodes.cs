using SegBridge.Protocol.Messages;

namespace SegBridge.Protocol;

/// <summary>
/// Stable JSON-RPC error codes. Standard JSON-RPC codes (-32700 parse error, -32600 invalid request,
/// -32601 method not found, -32602 invalid params, -32800 request cancelled) keep their meaning;
/// SegBridge's own failures use the positive codes below. Codes are never reused for another meaning.
/// </summary>
public static class ErrorCodes
{
    // Connection and handshake
    public const int NotInitialized = 1001;
    public const int ProtocolVersionMismatch = 1002;
    public const int InvalidArgument = 1003;
    public const int LimitExceeded = 1004;
    /// <summary>The engine got SIGTERM or SIGINT: it finishes the replies in flight but runs no new request; reconnect once it runs again.</summary>
    public const int EngineStopping = 1005;
    // Models
    public const int UnknownModel = 2001;
    public const int ModelUnavailable = 2002;
    public const int UnsupportedInteraction = 2003;
    // Images
    public const int UnknownImage = 3001;
    public const int ImageUnreadable = 3002;
    public const int ImageTooLarge = 3003;
    public const int PathNotAllowed = 3004;
    // Sessions
    public const int UnknownSession = 4001;
    public const int InvalidInteraction = 4002;
    public const int NothingToUndo = 4003;
    public const int NothingToRedo = 4004;
    /// <summary>A newer interaction on the same session cancelled this one before it finished.</summary>
    public const int Superseded = 4005;
    // State folder
    /// <summary>The engine could not write the journal record of a change (disk full, read-only, permission): the change was refused and not applied; retry once the state folder can be written.</summary>
    public const int JournalUnavailable = 5001;
    // Anything unexpected: the message says what; no stack trace is sent.
    public const int InternalError = 9001;

    /// <summary>Name of each code, for the generated protocol description.</summary>
    public static IReadOnlyDictionary<int, string> Names { get; } =
        typeof(ErrorCodes).GetFields()
            .Where(f => f.IsLiteral && f.FieldType == typeof(int))
            .ToDictionary(f => (int)f.GetRawConstantValue()!, f => f.Name);
}

/// <summary>
/// An expected failure with a stable code and a message a user can act on. The host turns it into a
/// JSON-RPC error object; <see cref="Data"/> names the offending field and what is allowed.
/// </summary>
public sealed class ProtocolException(int code, string message, ErrorData? data = null) : Exception(message)
{
    public int Code { get; } = code;
    public new ErrorData? Data { get; } = data;
}
