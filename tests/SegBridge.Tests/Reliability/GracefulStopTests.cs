using System.Diagnostics;
using SegBridge.Protocol;
using SegBridge.Protocol.Messages;
using SegBridge.Tests.Support;
using StreamJsonRpc;
using Xunit.Abstractions;

namespace SegBridge.Tests.Reliability;

/// <summary>
/// SIGTERM on a pipe engine while a click is computing: the click's reply still arrives, new requests and new
/// connections are refused meanwhile, and the engine exits 0; a request still running when the grace period
/// ends does not keep it alive. The slow click is a random walker that runs a fixed number of iterations on a large
/// noisy image (<see cref="SlowModels"/>): the work does not shrink on a faster machine the way a solve that converges
/// early would, and the test waits for the engine to have read the click (a ping answered after it) rather than for
/// a fixed delay.
/// </summary>
public sealed class GracefulStopTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_click_in_flight_at_sigterm_gets_its_reply_new_requests_are_refused_and_the_engine_exits_0()
    {
        using var models = new SlowModels();
        var (engine, socket) = await EngineProcess.StartPipeAsync($"sbt-stop-{Guid.NewGuid():N}"[..20], "--stop-grace", "120", "--models", models.Folder);
        await using (engine)
        {
            await using var stream = await Clients.ConnectSocketAsync(socket);
            using var rpc = Clients.Json(stream, stream);
            var click = await StartSlowClickAsync(rpc, 1000, SlowModels.Bounded);
            Assert.False(click.IsCompleted, "the click finished before the signal: make the image larger so it is in flight");

            var signalled = Stopwatch.StartNew();
            engine.Terminate();
            // The socket goes first, when the engine stops taking connections: from then on it refuses new requests.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (File.Exists(socket) && DateTime.UtcNow < deadline) await Task.Delay(20);
            Assert.False(File.Exists(socket), "the socket should be gone once the engine stops taking connections");
            await Assert.ThrowsAnyAsync<System.Net.Sockets.SocketException>(() => Clients.ConnectSocketAsync(socket));
            var refused = await rpc.ErrorAsync("ping", new EmptyParams());
            output.WriteLine($"ping while stopping: {refused.ErrorCode} {refused.Message}");
            Assert.Equal(ErrorCodes.EngineStopping, refused.ErrorCode);
            Assert.Contains("stopping", refused.Message);
            Assert.False(click.IsCompleted, "the click should still be computing while the engine refuses new requests");

            var mask = await click.WaitAsync(TimeSpan.FromSeconds(120));
            output.WriteLine($"click answered {signalled.Elapsed.TotalSeconds:F1} s after SIGTERM, model took {mask.ModelMs:F0} ms");
            Assert.Equal(1, mask.InteractionCount);
            Assert.Equal(0, await engine.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        }
    }

    [Fact]
    public async Task A_request_still_running_when_the_grace_period_ends_does_not_keep_the_engine_alive()
    {
        using var models = new SlowModels();
        var (engine, socket) = await EngineProcess.StartPipeAsync($"sbt-grace-{Guid.NewGuid():N}"[..20], "--stop-grace", "1", "--models", models.Folder);
        await using (engine)
        {
            await using var stream = await Clients.ConnectSocketAsync(socket);
            using var rpc = Clients.Json(stream, stream);
            // It never finishes on its own: only the end of the grace period can stop it.
            var click = await StartSlowClickAsync(rpc, 1000, SlowModels.Endless);
            Assert.False(click.IsCompleted, "the click finished before the signal: make the image larger so it is in flight");

            var signalled = Stopwatch.StartNew();
            engine.Terminate();
            Assert.Equal(0, await engine.WaitForExitAsync(TimeSpan.FromSeconds(20)));
            output.WriteLine($"exited {signalled.Elapsed.TotalSeconds:F1} s after SIGTERM with --stop-grace 1");
            Assert.True(signalled.Elapsed < TimeSpan.FromSeconds(12), $"the engine took {signalled.Elapsed.TotalSeconds:F1} s to stop");
            await Assert.ThrowsAnyAsync<ConnectionLostException>(() => click.WaitAsync(TimeSpan.FromSeconds(20)));
            Assert.Contains("replies still unfinished when the stop grace period (1 s) ended", engine.StdErr);
        }
    }

    [Fact]
    public async Task Stdio_finishes_a_click_in_flight_at_sigterm_and_exits_0()
    {
        using var models = new SlowModels();
        var (engine, rpc) = EngineProcess.StartStdio("--stop-grace", "120", "--models", models.Folder);
        await using (engine)
        using (rpc)
        {
            var click = await StartSlowClickAsync(rpc, 1000, SlowModels.Bounded);
            Assert.False(click.IsCompleted, "the click finished before the signal: make the image larger so it is in flight");
            engine.Terminate();
            Assert.Equal(1, (await click.WaitAsync(TimeSpan.FromSeconds(120))).InteractionCount);
            Assert.Equal(0, await engine.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        }
    }

    [Fact]
    public async Task WebSocket_finishes_a_click_in_flight_at_sigterm_refuses_new_requests_and_exits_0()
    {
        var folder = Directory.CreateTempSubdirectory("segbridge-ws-stop").FullName;
        var tokenFile = Path.Combine(folder, "token");
        using var models = new SlowModels();
        var engine = EngineProcess.Start("serve", "--ws", "127.0.0.1:0", "--token-file", tokenFile, "--stop-grace", "120", "--models", models.Folder);
        await using (engine)
        {
            var line = await engine.Process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60))
                       ?? throw new InvalidOperationException("engine exited before its ready line: " + engine.StdErr);
            var uri = new Uri(System.Text.Json.JsonDocument.Parse(line).RootElement.GetProperty("ws").GetString()!);
            var token = File.ReadAllText(tokenFile).Trim();
            using var socket = await ConnectWebSocketAsync(uri, token);
            var formatter = new SystemTextJsonFormatter { JsonSerializerOptions = new System.Text.Json.JsonSerializerOptions(ProtocolJson.Options) };
            using var rpc = new JsonRpc(new WebSocketMessageHandler(socket, formatter));
            rpc.StartListening();
            var click = await StartSlowClickAsync(rpc, 1000, SlowModels.Bounded);
            Assert.False(click.IsCompleted, "the click finished before the signal: make the image larger so it is in flight");

            engine.Terminate();
            // Kestrel stops listening first; from then on the open connection's new requests are refused.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (DateTime.UtcNow < deadline && await CanConnectAsync(uri, token)) await Task.Delay(50);
            Assert.False(await CanConnectAsync(uri, token), "the engine still takes WebSocket connections while stopping");
            var refused = await rpc.ErrorAsync("ping", new EmptyParams());
            Assert.Equal(ErrorCodes.EngineStopping, refused.ErrorCode);

            Assert.Equal(1, (await click.WaitAsync(TimeSpan.FromSeconds(120))).InteractionCount);
            Assert.Equal(0, await engine.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        }
        Directory.Delete(folder, recursive: true);
    }

    private static async Task<System.Net.WebSockets.ClientWebSocket> ConnectWebSocketAsync(Uri uri, string token)
    {
        var socket = new System.Net.WebSockets.ClientWebSocket();
        socket.Options.AddSubProtocol("segbridge.token." + token);
        await socket.ConnectAsync(uri, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        return socket;
    }

    private static async Task<bool> CanConnectAsync(Uri uri, string token)
    {
        try { using var _ = await ConnectWebSocketAsync(uri, token); return true; }
        catch (Exception e) when (e is System.Net.WebSockets.WebSocketException or System.Net.Http.HttpRequestException or TimeoutException) { return false; }
    }

    /// <summary>
    /// Opens a noisy disk image of side × side pixels, sends a click of <paramref name="modelId"/> without waiting for
    /// its reply, and returns once the engine has read it: a ping sent after it on the same connection is answered.
    /// </summary>
    private static async Task<Task<MaskResult>> StartSlowClickAsync(JsonRpc rpc, int side, string modelId)
    {
        await rpc.InitializeAsync();
        var pixels = new byte[side * side];
        var noise = new Random(5);
        for (int y = 0; y < side; y++)
        for (int x = 0; x < side; x++)
            pixels[y * side + x] = (byte)((TestImages.InDisk(x, y, side / 2, side / 2, side / 3) ? 150 : 0) + noise.Next(60));
        var image = await rpc.CallAsync<ImageInfo>("images/open", new OpenImageParams
        {
            Raw = new RawArray { Width = side, Height = side, Channels = 1, Dtype = "uint8", Data = pixels },
        });
        var session = await rpc.CallAsync<SessionInfo>("sessions/create", new CreateSessionParams { ImageId = image.ImageId, ModelId = modelId });
        var click = rpc.InvokeWithParameterObjectAsync<MaskResult>("sessions/interact", new InteractParams
        {
            SessionId = session.SessionId, Click = new ClickDto { X = side / 2, Y = side / 2 }, Format = "rle",
        });
        // Requests are read in order: once this ping is answered the click is in the engine (a fixed delay guessed that).
        await rpc.CallAsync<PingResult>("ping", new EmptyParams());
        return click;
    }
}
