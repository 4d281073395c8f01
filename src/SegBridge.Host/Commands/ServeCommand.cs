using System.CommandLine;
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
        var pipe = new Option<string?>("--pipe") { Description = "Serve many clients on a named pipe (Unix socket /tmp/CoreFxPipe_NAME, or NAME if it starts with '/')" };
        var msgpack = new Option<bool>("--msgpack") { Description = "With --stdio: speak MessagePack (4-byte big-endian length prefix) instead of JSON. Pipe clients choose per connection." };
        var command = new Command("serve", "Run the engine as a JSON-RPC 2.0 server") { stdio, pipe, msgpack };
        settings.AddTo(command);
        limits.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var useStdio = parse.GetValue(stdio);
            var pipeName = parse.GetValue(pipe);
            if (useStdio == (pipeName is not null)) throw new CommandException("give exactly one of --stdio or --pipe NAME");
            var maxFrame = limits.MaxFrameBytes(parse);
            using var engine = settings.Build(parse, o => limits.Apply(parse, o, pipeName));
            using var signals = new ShutdownSignals(ct);
            return useStdio
                ? await StdioServer.RunAsync(engine, parse.GetValue(msgpack) ? WireEncoding.MessagePack : WireEncoding.Json, maxFrame, signals.Token)
                : await new PipeServer(engine, pipeName!, maxFrame).RunAsync(signals.Token);
        });
        return command;
    }
}
