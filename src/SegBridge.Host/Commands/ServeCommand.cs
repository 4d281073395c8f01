using System.CommandLine;
using System.Text.Json.Nodes;
using SegBridge.Host.Rpc;
using SegBridge.Host.Transports;

namespace SegBridge.Host.Commands;

internal static class ServeCommand
{
    public static Command Create()
    {
        var settings = new EngineSettings();
        var limits = new ServerLimits();
        var stdio = new Option<bool>("--stdio") { Description = "Serve one client on stdin/stdout (Content-Length framing); exit when stdin closes" };
        var pipe = new Option<string?>("--pipe") { Description = "Serve many clients on a named pipe: the Unix socket NAME in an owner-only folder ($XDG_RUNTIME_DIR/segbridge, else $TMPDIR/segbridge-UID), or NAME itself if it starts with '/'" };
        var msgpack = new Option<bool>("--msgpack") { Description = "With --stdio: speak MessagePack (4-byte big-endian length prefix) instead of JSON. Pipe clients choose per connection." };
        var ws = new Option<string?>("--ws") { Description = "Serve browser clients: JSON-RPC over WebSocket at ws://ADDRESS:PORT/rpc and the web viewer at http://ADDRESS:PORT/ (loopback only unless --ws-bind-any; port 0 picks one). Combines with --pipe" };
        var tokenFile = new Option<string?>("--token-file") { Description = "With --ws (required): file holding the access token; created with a random 256-bit token, mode 0600, when missing" };
        var bindAny = new Option<bool>("--ws-bind-any") { Description = "With --ws: allow a non-loopback ADDRESS (anyone who reaches the port and has the token drives the engine)" };
        var allowOrigin = new Option<string[]>("--ws-allow-origin") { Description = "With --ws: a page origin (scheme://host[:port]) allowed besides http://127.0.0.1:*, http://localhost:* and none (repeatable)" };
        var stopGrace = new Option<double>("--stop-grace") { Description = "Seconds the replies in flight get to finish after SIGTERM or SIGINT (new requests are refused meanwhile); a second signal stops at once", DefaultValueFactory = _ => 10 };
        var command = new Command("serve", "Run the engine as a JSON-RPC 2.0 server") { stdio, pipe, msgpack, ws, tokenFile, bindAny, allowOrigin, stopGrace };
        settings.AddTo(command);
        limits.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var useStdio = parse.GetValue(stdio);
            var pipeName = parse.GetValue(pipe);
            var wsAddress = parse.GetValue(ws);
            if (useStdio && (pipeName is not null || wsAddress is not null)) throw new CommandException("--stdio serves one client alone: give it without --pipe and --ws");
            if (!useStdio && pipeName is null && wsAddress is null) throw new CommandException("give --stdio or --pipe NAME (or --ws ADDRESS:PORT, alone or with --pipe)");
            var origins = parse.GetValue(allowOrigin) ?? [];
            if (wsAddress is null && (parse.GetValue(tokenFile) is not null || parse.GetValue(bindAny) || origins.Length > 0))
                throw new CommandException("--token-file, --ws-bind-any and --ws-allow-origin go with --ws ADDRESS:PORT");
            var maxFrame = limits.MaxFrameBytes(parse);
            var grace = parse.GetValue(stopGrace);
            if (!(grace >= 0 && grace <= 3600)) throw new CommandException($"--stop-grace must be 0..3600 seconds, got {grace}");

            // Check the WebSocket options before building the engine (its model registry takes a moment to load).
            System.Net.IPEndPoint? endpoint = null;
            WebSocketAccess? access = null;
            string? tokenPath = null;
            if (wsAddress is not null)
            {
                endpoint = WebSocketAccess.ParseEndpoint(wsAddress, parse.GetValue(bindAny));
                tokenPath = parse.GetValue(tokenFile) ?? throw new CommandException("--ws needs --token-file FILE (created with a random token if missing); clients must present that token");
                if (tokenPath.StartsWith("~/")) tokenPath = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), tokenPath[2..]);
                tokenPath = Path.GetFullPath(tokenPath);
                access = WebSocketAccess.Create(tokenPath, origins);
            }

            using var engine = settings.Build(parse, o => limits.Apply(parse, o, pipeName));
            // System.CommandLine leaves serve's signals alone (see Program.cs): this takes them, and stops gracefully.
            using var signals = new GracefulStop(TimeSpan.FromSeconds(grace), ct);
            if (useStdio)
                return await StdioServer.RunAsync(engine, parse.GetValue(msgpack) ? WireEncoding.MessagePack : WireEncoding.Json, maxFrame, signals);

            var ready = new JsonObject();
            await using var wsServer = endpoint is not null ? new WebSocketServer(engine, endpoint, access!, maxFrame, signals) : null;
            if (wsServer is not null) await wsServer.StartAsync();
            var pipeServer = pipeName is not null ? new PipeServer(engine, pipeName, maxFrame) : null;
            if (pipeServer is not null)
            {
                ready["pipe"] = pipeName;
                ready["path"] = pipeServer.Bind();
            }
            if (wsServer is not null)
            {
                ready["ws"] = wsServer.RpcUrl;
                ready["viewer"] = wsServer.ViewerUrl;
                ready["tokenFile"] = tokenPath;
            }
            ready["pid"] = Environment.ProcessId;
            Console.Out.WriteLine(ready.ToJsonString());
            Console.Out.Flush();

            var servers = new List<Task<int>>();
            if (pipeServer is not null) servers.Add(pipeServer.RunAsync(signals));
            if (wsServer is not null) servers.Add(wsServer.RunAsync());
            var codes = await Task.WhenAll(servers);
            return codes.Max();
        });
        return command;
    }
}
