using System.Text;
using SegBridge.Protocol.Messages;
using SegBridge.Tests.Support;
using Xunit.Abstractions;

namespace SegBridge.Tests.Reliability;

/// <summary>Each limit refuses with its own error while the engine keeps serving.</summary>
public sealed class LimitsTests(ITestOutputHelper output)
{
    private static readonly byte[] Png = TestImages.DiskPng(120, 100, 60, 50, 25);

    [Fact]
    public async Task Sessions_per_client_and_in_total_are_bounded()
    {
        var (engine, rpc) = EngineProcess.StartStdio("--max-sessions-per-client", "2", "--max-sessions", "3");
        await using (engine)
        using (rpc)
        {
            await rpc.InitializeAsync();
            var img = await rpc.CallAsync<ImageInfo>("images/open", new OpenImageParams { Encoded = Png });
            var create = new CreateSessionParams { ImageId = img.ImageId, ModelId = "watershed" };
            var first = await rpc.CallAsync<SessionInfo>("sessions/create", create);
            await rpc.CallAsync<SessionInfo>("sessions/create", create);
            var e = await rpc.ErrorAsync("sessions/create", create);
            Assert.Equal(1004, e.ErrorCode);
            Assert.Contains("2 open sessions", e.Message);
            await rpc.CallAsync<Ack>("sessions/close", new SessionParams { SessionId = first.SessionId });
            await rpc.CallAsync<SessionInfo>("sessions/create", create);
        }
    }

    /// <summary>
    /// A session on a large image whose foreground click computes until it is cancelled (<see cref="SlowModels.Endless"/>):
    /// with the default random walker it took seconds, which a fast machine could finish before the superseding
    /// click or the timeout arrived. A click with no foreground seed is answered at once (an empty mask).
    /// </summary>
    private static async Task<SessionInfo> SlowSession(StreamJsonRpc.JsonRpc rpc)
    {
        var big = TestImages.DiskRgb(1400, 1200, 700, 600, 300);
        var img = await rpc.CallAsync<ImageInfo>("images/open", new OpenImageParams { Raw = new RawArray { Width = 1400, Height = 1200, Channels = 3, Dtype = "uint8", Data = big } });
        return await rpc.CallAsync<SessionInfo>("sessions/create", new CreateSessionParams { ImageId = img.ImageId, ModelId = SlowModels.Endless });
    }

    [Fact]
    public async Task A_newer_click_cancels_the_computation_it_supersedes_and_timeouts_are_reported()
    {
        using var models = new SlowModels();
        var (engine, rpc) = EngineProcess.StartStdio("--request-timeout", "30", "--models", models.Folder);
        await using (engine)
        using (rpc)
        {
            await rpc.InitializeAsync();
            var s = await SlowSession(rpc);
            var older = rpc.ErrorAsync("sessions/interact", new InteractParams { SessionId = s.SessionId, Click = new ClickDto { X = 700, Y = 600 } });
            await Task.Delay(300);
            var newer = await rpc.CallAsync<MaskResult>("sessions/interact", new InteractParams { SessionId = s.SessionId, Click = new ClickDto { X = 10, Y = 10, Positive = false } });
            var cancelled = await older;
            output.WriteLine($"older: {cancelled.ErrorCode} {cancelled.Message}");
            Assert.Equal(4005, cancelled.ErrorCode);
            Assert.Equal(1, newer.InteractionCount); // only the newer click was applied
        }

        var (slow, rpc2) = EngineProcess.StartStdio("--request-timeout", "0.05", "--models", models.Folder);
        await using (slow)
        using (rpc2)
        {
            await rpc2.InitializeAsync();
            var s = await SlowSession(rpc2);
            var e = await rpc2.ErrorAsync("sessions/interact", new InteractParams { SessionId = s.SessionId, Click = new ClickDto { X = 700, Y = 600 } });
            Assert.Equal(1004, e.ErrorCode);
            Assert.Contains("request timeout", e.Message);
            var mask = await rpc2.CallAsync<MaskResult>("sessions/mask", new SessionParams { SessionId = s.SessionId });
            Assert.Equal(0, mask.InteractionCount);
        }
    }

    [Fact]
    public async Task Oversized_frames_are_refused_without_reading_them_into_memory()
    {
        await using var engine = EngineProcess.Start("serve", "--stdio", "--max-frame-mb", "1");
        var stdin = engine.Process.StandardInput.BaseStream;
        var huge = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"images/open\",\"params\":{\"encoded\":\"" + new string('A', 2 * 1024 * 1024) + "\"}}";
        foreach (var body in new[] { huge, """{"jsonrpc":"2.0","id":2,"method":"ping"}""" })
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            await stdin.WriteAsync(Encoding.ASCII.GetBytes($"Content-Length: {bytes.Length}\r\n\r\n"));
            await stdin.WriteAsync(bytes);
        }
        engine.Process.StandardInput.Close();
        var stdout = await engine.Process.StandardOutput.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Contains("exceeds the limit of 1048576 bytes", stdout);
        Assert.Contains("\"id\":2,\"result\"", stdout);
    }

    [Fact]
    public async Task Sessions_of_a_client_that_went_away_are_closed_after_the_ttl()
    {
        var name = $"sbt-ttl-{Guid.NewGuid():N}"[..20];
        var (engine, socket) = await EngineProcess.StartPipeAsync(name, "--session-ttl", "1");
        await using (engine)
        {
            string kept, dropped;
            {
                await using var stream = await Clients.ConnectSocketAsync(socket);
                using var rpc = Clients.Json(stream, stream);
                await rpc.InitializeAsync();
                var img = await rpc.CallAsync<ImageInfo>("images/open", new OpenImageParams { Encoded = Png });
                dropped = (await rpc.CallAsync<SessionInfo>("sessions/create", new CreateSessionParams { ImageId = img.ImageId, ModelId = "watershed" })).SessionId;
                kept = (await rpc.CallAsync<SessionInfo>("sessions/create", new CreateSessionParams { ImageId = img.ImageId, ModelId = "watershed" })).SessionId;
            }
            await using var stream2 = await Clients.ConnectSocketAsync(socket);
            using var rpc2 = Clients.Json(stream2, stream2);
            await rpc2.InitializeAsync();
            await rpc2.CallAsync<MaskResult>("sessions/mask", new SessionParams { SessionId = kept }); // the new client adopts this one
            await Task.Delay(3000);
            var list = await rpc2.CallAsync<SessionListResult>("sessions/list", new EmptyParams());
            Assert.Contains(list.Sessions, s => s.SessionId == kept);
            Assert.DoesNotContain(list.Sessions, s => s.SessionId == dropped);
        }
    }
}
