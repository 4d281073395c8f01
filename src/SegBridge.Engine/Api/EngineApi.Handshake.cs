using SegBridge.Protocol;
using SegBridge.Protocol.Messages;

namespace SegBridge.Engine.Api;

/// <summary>initialize, shutdown, ping: the handshake that every other method waits for.</summary>
public sealed partial class EngineApi
{
    public string? ClientName { get; private set; }
    public int? ClientProcessId { get; private set; }

    public Task<InitializeResult> InitializeAsync(InitializeParams? p = null, CancellationToken ct = default)
    {
        p ??= new InitializeParams();
        var version = Errors.Required(p.ProtocolVersion, "protocolVersion", ProtocolInfo.Version);
        var major = ProtocolInfo.ParseMajor(version)
            ?? throw Errors.Argument("protocolVersion", $"protocolVersion '{version}' is not MAJOR.MINOR", ProtocolInfo.Version);
        if (major != ProtocolInfo.Major)
            throw Errors.Make(ErrorCodes.ProtocolVersionMismatch,
                $"client '{p.ClientName ?? "unknown"}' speaks protocol {version}, this engine speaks {ProtocolInfo.Version}; update the client or the engine so the major versions match",
                "protocolVersion", $"{ProtocolInfo.Major}.x");
        ClientName = p.ClientName;
        ClientProcessId = p.ProcessId;
        _initialized = true;
        Log.Info("client '{0}' {1} initialized (protocol {2}, pid {3})", p.ClientName, p.ClientVersion, version, p.ProcessId);
        return Task.FromResult(new InitializeResult
        {
            ServerName = "segbridge",
            ServerVersion = engine.ServerVersion,
            ProtocolVersion = ProtocolInfo.Version,
            Capabilities = new Capabilities
            {
                MaskFormats = MaskFormats.All,
                Interactions = InteractionKinds.All,
                ImageInputs = ["path", "encoded", "raw"],
                RawDtypes = ["uint8", "uint16", "float32"],
                Transports = ["stdio", "pipe", "websocket"],
                Encodings = ["json", "msgpack"],
                Devices = engine.Devices.ToArray(),
                MaxImagePixels = engine.Options.MaxImagePixels,
            },
            Models = engine.Registry.Entries.Select(ProtocolMapping.ToInfo).ToArray(),
        });
    }

    public Task<Ack> ShutdownAsync(EmptyParams? p = null, CancellationToken ct = default)
    {
        Log.Info("shutdown requested by '{0}'", ClientName);
        onShutdown?.Invoke();
        return Task.FromResult(new Ack());
    }

    public Task<PingResult> PingAsync(EmptyParams? p = null, CancellationToken ct = default)
        => Task.FromResult(new PingResult { ServerTimeUtc = DateTime.UtcNow.ToString("O") });
}
