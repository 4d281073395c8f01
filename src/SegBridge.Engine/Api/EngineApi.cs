using NLog;
using SegBridge.Engine.Compute;
using SegBridge.Engine.Registry;
using SegBridge.Engine.Sessions;
using SegBridge.Engine.Volumes;
using SegBridge.Protocol;

namespace SegBridge.Engine.Api;

/// <summary>
/// The protocol implemented over the shared engine; one instance per client connection, holding that connection's
/// handshake state and its share of the compute queue. One partial file per method namespace (EngineApi.Handshake,
/// .Models, .Images, .Sessions, .Volumes, .Slides, .Eval, .Training); each maps the request to engine types
/// (<see cref="ProtocolMapping"/>), calls the core and maps its refusals (<see cref="ErrorMapping"/>). Every expected
/// failure is a <see cref="ProtocolException"/> with a stable code; anything else is a bug and is logged by the host.
/// </summary>
/// <param name="notifier">The connection's way back to its client, for progress notifications; null sends none.</param>
/// <param name="remoteClient">A WebSocket client (a web page, perhaps on another machine): its errors do not list the engine's folders.</param>
public sealed partial class EngineApi(SegBridgeEngine engine, Action? onShutdown = null, IClientNotifier? notifier = null, bool remoteClient = false) : ISegBridgeApi
{
    private static readonly Logger Log = LogManager.GetCurrentClassLogger();
    private readonly long _connection = engine.NewConnectionId();
    /// <summary>This connection's place in the compute queue's per-connection bound.</summary>
    private readonly ComputeClient _compute = new();
    private volatile bool _initialized;

    private VolumeService Volumes => engine.Volumes;

    /// <summary>The client's connection ended: its sessions and images stay open for the configured time, for a reconnect.</summary>
    public void OnDisconnected()
    {
        foreach (var s in engine.Sessions.All) s.Disown(_connection);
        engine.Images.Disown(_connection);
    }

    private void RequireInitialized()
    {
        if (!_initialized)
            throw Errors.Make(ErrorCodes.NotInitialized, "send 'initialize' with your protocolVersion before any other request", "method", "initialize first");
    }

    private ModelEntry FindModel(string? id)
        => ModelLookup.Find(engine.Registry, Errors.Required(id, "modelId", "random-walker"), "modelId");

    private Session FindSession(string? id)
    {
        var sessionId = Errors.Required(id, "sessionId", "ses-1");
        if (!engine.Sessions.TryGet(sessionId, out var s)) throw UnknownSession(sessionId);
        s.Touch(_connection);
        return s;
    }

    /// <summary>Runs work while holding the session's lock, so requests on one session are applied in order.</summary>
    private static async Task<T> WithSession<T>(Session session, CancellationToken ct, Func<Task<T>> work)
    {
        await session.Gate.WaitAsync(ct);
        // A refusal (e.g. a journal record that could not be written) comes before the session changed.
        try { return await ErrorMapping.GuardAsync(work); }
        finally { session.Gate.Release(); }
    }

    private static ProtocolException UnknownImage(string id)
        => Errors.Make(ErrorCodes.UnknownImage, $"unknown image '{id}'; open one with images/open first", "imageId");

    private static ProtocolException UnknownSession(string id)
        => Errors.Make(ErrorCodes.UnknownSession, $"unknown session '{id}' (closed, or never created)", "sessionId");
}
