using System.Net.WebSockets;
using System.Text.Json;
using SegBridge.Tests.Support;
using Xunit.Abstractions;

namespace SegBridge.Tests.Reliability;

/// <summary>
/// Broken framing and messages that are not requests, sent by hand through the real executable on stdio, the
/// pipe (JSON and MessagePack) and the WebSocket: each must get its error reply, a valid ping right after it
/// must be answered, and the engine must still be running.
/// </summary>
public sealed class HostileFramingTests(ITestOutputHelper output)
{
    private static readonly string[] Limits = ["--max-frame-mb", "1"];

    public static TheoryData<string> JsonCases() => [.. HostileFrames.JsonFrames().Select(c => c.Name)];
    public static TheoryData<string> MessagePackCases() => [.. HostileFrames.MessagePackFrames().Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(JsonCases))]
    public async Task Stdio_json_answers_the_bad_frame_and_serves_the_next_request(string name)
    {
        await using var engine = EngineProcess.Start(["serve", "--stdio", .. Limits]);
        await using var wire = new HeaderWire(engine.Process.StandardInput.BaseStream, engine.Process.StandardOutput.BaseStream);
        await HostileFrames.ExpectRefusedThenServingAsync(wire, HostileFrames.Json(name), "alive");
        Assert.False(engine.Process.HasExited, $"{name}: the engine exited");
    }

    [Theory]
    [MemberData(nameof(MessagePackCases))]
    public async Task Stdio_messagepack_answers_the_bad_frame_and_serves_the_next_request(string name)
    {
        await using var engine = EngineProcess.Start(["serve", "--stdio", "--msgpack", .. Limits]);
        await using var wire = new LengthPrefixWire(engine.Process.StandardInput.BaseStream, engine.Process.StandardOutput.BaseStream);
        await HostileFrames.ExpectRefusedThenServingAsync(wire, HostileFrames.MessagePack(name), "alive");
        Assert.False(engine.Process.HasExited, $"{name}: the engine exited");
    }

    [Fact]
    public async Task Stdio_json_survives_every_bad_frame_in_a_row_and_exits_cleanly_at_end_of_input()
    {
        await using var engine = EngineProcess.Start(["serve", "--stdio", .. Limits]);
        await using var wire = new HeaderWire(engine.Process.StandardInput.BaseStream, engine.Process.StandardOutput.BaseStream);
        int n = 0;
        foreach (var frame in HostileFrames.JsonFrames())
            await HostileFrames.ExpectRefusedThenServingAsync(wire, frame, $"alive-{n++}");
        Assert.False(engine.Process.HasExited);
        engine.Process.StandardInput.Close();
        Assert.Equal(0, await engine.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        output.WriteLine($"{n} bad frames in a row on one stdio connection, each answered");
    }

    [Fact]
    public async Task Pipe_json_connection_survives_every_bad_frame_in_a_row()
    {
        var (engine, path) = await EngineProcess.StartPipeAsync($"sb-frames-{Guid.NewGuid():N}"[..24], Limits);
        await using (engine)
        {
            await using (var wire = await JsonPipeAsync(path))
            {
                int n = 0;
                foreach (var frame in HostileFrames.JsonFrames())
                    await HostileFrames.ExpectRefusedThenServingAsync(wire, frame, $"alive-{n++}");
            }
            // Every bad frame on a fresh connection too: the first bytes decide the encoding there.
            foreach (var frame in HostileFrames.JsonFrames().Where(f => f.Bytes[0] == (byte)'C'))
                await using (var fresh = await JsonPipeAsync(path))
                    await HostileFrames.ExpectRefusedThenServingAsync(fresh, frame, "fresh");
            Assert.False(engine.Process.HasExited);
        }
    }

    [Fact]
    public async Task Pipe_messagepack_connection_survives_every_bad_frame_in_a_row()
    {
        var (engine, path) = await EngineProcess.StartPipeAsync($"sb-frames-{Guid.NewGuid():N}"[..24], Limits);
        await using (engine)
        {
            var stream = await Clients.ConnectSocketAsync(path);
            await using (var wire = new LengthPrefixWire(stream, stream, stream))
            {
                int n = 0;
                foreach (var frame in HostileFrames.MessagePackFrames())
                    await HostileFrames.ExpectRefusedThenServingAsync(wire, frame, $"alive-{n++}");
            }
            await using (var other = await JsonPipeAsync(path))
                await HostileFrames.ExpectRefusedThenServingAsync(other, HostileFrames.Json("a response with a result"), "other");
            Assert.False(engine.Process.HasExited);
        }
    }

    [Fact]
    public async Task WebSocket_connection_answers_responses_and_missing_methods_and_stays_open()
    {
        var folder = Directory.CreateTempSubdirectory("segbridge-ws").FullName;
        try
        {
            var tokenFile = Path.Combine(folder, "token");
            await using var engine = EngineProcess.Start(["serve", "--ws", "127.0.0.1:0", "--token-file", tokenFile, .. Limits]);
            var line = await engine.Process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60))
                       ?? throw new InvalidOperationException("engine exited before its ready line: " + engine.StdErr);
            var uri = new Uri(JsonDocument.Parse(line).RootElement.GetProperty("ws").GetString()!);
            var socket = new ClientWebSocket();
            socket.Options.AddSubProtocol("segbridge.token." + File.ReadAllText(tokenFile).Trim());
            await socket.ConnectAsync(uri, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
            await using (var wire = new WebSocketWire(socket))
            {
                int n = 0;
                foreach (var frame in HostileFrames.NotRequestsAsText())
                    await HostileFrames.ExpectRefusedThenServingAsync(wire, frame, $"alive-{n++}");
                Assert.Equal(WebSocketState.Open, socket.State);
            }
            Assert.False(engine.Process.HasExited);
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    private static async Task<HeaderWire> JsonPipeAsync(string path)
    {
        var stream = await Clients.ConnectSocketAsync(path);
        return new HeaderWire(stream, stream, stream);
    }
}
