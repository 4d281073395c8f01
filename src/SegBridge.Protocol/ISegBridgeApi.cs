using SegBridge.Protocol.Messages;

namespace SegBridge.Protocol;

/// <summary>
/// The SegBridge protocol. Every method takes one params object (JSON-RPC "by-name" params) and
/// returns one result object. Existing methods never change meaning; new behaviour gets a new method.
/// </summary>
public interface ISegBridgeApi
{
    [ProtocolMethod("initialize", "Handshake: protocol version check, capabilities and models. Must come first.")]
    Task<InitializeResult> InitializeAsync(InitializeParams p, CancellationToken ct);

    [ProtocolMethod("shutdown", "Ask the engine to finish in-flight work and exit (stdio) or close this connection (pipe).")]
    Task<Ack> ShutdownAsync(EmptyParams p, CancellationToken ct);

    [ProtocolMethod("ping", "Round-trip check; allowed before initialize.")]
    Task<PingResult> PingAsync(EmptyParams p, CancellationToken ct);

    [ProtocolMethod("models/list", "Every model in the registry with status, plus manifests that failed validation.")]
    Task<ModelListResult> ListModelsAsync(EmptyParams p, CancellationToken ct);

    [ProtocolMethod("models/describe", "One model with its manifest parameters.")]
    Task<ModelDescription> DescribeModelAsync(ModelIdParams p, CancellationToken ct);

    [ProtocolMethod("images/open", "Open an image from a path, encoded bytes or a raw array.")]
    Task<ImageInfo> OpenImageAsync(OpenImageParams p, CancellationToken ct);

    [ProtocolMethod("images/close", "Forget an image; sessions on it stay usable until closed.")]
    Task<Ack> CloseImageAsync(ImageIdParams p, CancellationToken ct);

    [ProtocolMethod("sessions/create", "Start an interactive session on an image with a model.")]
    Task<SessionInfo> CreateSessionAsync(CreateSessionParams p, CancellationToken ct);

    [ProtocolMethod("sessions/interact", "Add one interaction (click, scribble, labels or box) and return the new mask.")]
    Task<MaskResult> InteractAsync(InteractParams p, CancellationToken ct);

    [ProtocolMethod("sessions/undo", "Remove the last interaction and return the recomputed mask.")]
    Task<MaskResult> UndoAsync(SessionParams p, CancellationToken ct);

    [ProtocolMethod("sessions/redo", "Re-apply the last undone interaction and return the mask.")]
    Task<MaskResult> RedoAsync(SessionParams p, CancellationToken ct);

    [ProtocolMethod("sessions/reset", "Drop every interaction (undoable) and return the empty mask.")]
    Task<MaskResult> ResetAsync(SessionParams p, CancellationToken ct);

    [ProtocolMethod("sessions/mask", "The current mask in the requested format.")]
    Task<MaskResult> GetMaskAsync(SessionParams p, CancellationToken ct);

    [ProtocolMethod("sessions/history", "The applied and redoable interactions of a session.")]
    Task<HistoryResult> GetHistoryAsync(SessionParams p, CancellationToken ct);

    [ProtocolMethod("sessions/list", "Open sessions.")]
    Task<SessionListResult> ListSessionsAsync(EmptyParams p, CancellationToken ct);

    [ProtocolMethod("sessions/close", "Close a session and free its memory.")]
    Task<Ack> CloseSessionAsync(SessionParams p, CancellationToken ct);
}
