using System.Diagnostics;
using SegBridge.Protocol.Messages;
using SegBridge.Tests.Support;
using StreamJsonRpc;
using Xunit.Abstractions;

namespace SegBridge.Tests.Reliability;

/// <summary>
/// Drive sessions over the pipe, kill -9 the engine at a random moment, restart it on the same state
/// folder, and check that every acknowledged interaction came back with the same mask. A request that
/// was journalled but whose reply never left the engine may come back too (an interaction or an undo):
/// then undoing (or redoing) it must give the last acknowledged mask.
/// </summary>
public sealed class CrashRecoveryTests(ITestOutputHelper output)
{
    private const int W = 120, H = 100;

    private sealed class Acked
    {
        public int Count;
        public byte[] Mask = new byte[W * H];
    }

    [Theory]
    [InlineData(11)]
    [InlineData(23)]
    [InlineData(37)]
    public async Task Acknowledged_interactions_survive_kill_9(int seed)
    {
        var rng = new Random(seed);
        var state = Directory.CreateTempSubdirectory("segbridge-crash").FullName;
        var name = $"sbt-crash-{seed}-{Guid.NewGuid():N}"[..24];
        var imagePath = TestImages.DiskPngFile();
        var acked = new Dictionary<string, Acked>();
        var killAfter = TimeSpan.FromMilliseconds(rng.Next(300, 2500));

        var (engine, socket) = await EngineProcess.StartPipeAsync(name, "--state-dir", state);
        await using (engine)
        {
            var clients = new List<(JsonRpc Rpc, string Session)>();
            foreach (var (model, open) in new[]
                     {
                         ("random-walker", new OpenImageParams { Path = imagePath }),
                         ("graph-cut", new OpenImageParams { Encoded = File.ReadAllBytes(imagePath) }),
                     })
            {
                var stream = await Clients.ConnectSocketAsync(socket);
                var rpc = Clients.Json(stream, stream);
                await rpc.InitializeAsync();
                var img = await rpc.CallAsync<ImageInfo>("images/open", open);
                var s = await rpc.CallAsync<SessionInfo>("sessions/create", new CreateSessionParams { ImageId = img.ImageId, ModelId = model });
                acked[s.SessionId] = new Acked();
                clients.Add((rpc, s.SessionId));
            }

            var stopwatch = Stopwatch.StartNew();
            var drivers = clients.Select((c, i) => Drive(c.Rpc, c.Session, acked[c.Session], new Random(seed * 10 + i), stopwatch, killAfter + TimeSpan.FromSeconds(5))).ToList();
            await Task.Delay(killAfter);
            engine.Process.Kill(); // SIGKILL: no chance to flush anything
            await engine.Process.WaitForExitAsync();
            await Task.WhenAll(drivers);
            foreach (var c in clients) c.Rpc.Dispose();
        }
        output.WriteLine($"killed after {killAfter.TotalMilliseconds:0} ms; acknowledged: {string.Join(", ", acked.Select(a => $"{a.Key}={a.Value.Count}"))}");
        Assert.Contains(acked.Values, a => a.Count > 0);

        var (restarted, socket2) = await EngineProcess.StartPipeAsync(name, "--state-dir", state);
        await using (restarted)
        {
            var stream = await Clients.ConnectSocketAsync(socket2);
            using var rpc = Clients.Json(stream, stream);
            await rpc.InitializeAsync();
            var list = await rpc.CallAsync<SessionListResult>("sessions/list", new EmptyParams());
            foreach (var (id, a) in acked)
            {
                var info = Assert.Single(list.Sessions, s => s.SessionId == id);
                var mask = await rpc.CallAsync<MaskResult>("sessions/mask", new SessionParams { SessionId = id, Format = "raw" });
                output.WriteLine($"{id}: acknowledged {a.Count}, restored {mask.InteractionCount}");
                // The request in flight at the kill may have been journalled without its reply reaching us:
                // an extra interaction (undo it) or an extra undo (redo it) gives back the acknowledged state.
                Assert.InRange(mask.InteractionCount - a.Count, -1, 1);
                if (mask.InteractionCount == a.Count + 1)
                    mask = await rpc.CallAsync<MaskResult>("sessions/undo", new SessionParams { SessionId = id, Format = "raw" });
                else if (mask.InteractionCount == a.Count - 1)
                    mask = await rpc.CallAsync<MaskResult>("sessions/redo", new SessionParams { SessionId = id, Format = "raw" });
                Assert.Equal(a.Count, mask.InteractionCount);
                Assert.Equal(a.Mask, mask.Data ?? new byte[W * H]);
            }
        }
        Directory.Delete(state, recursive: true);
        File.Delete(imagePath);
    }

    /// <summary>Clicks, scribbles and undos until the engine dies, recording what was acknowledged.</summary>
    private static async Task Drive(JsonRpc rpc, string session, Acked acked, Random rng, Stopwatch clock, TimeSpan giveUp)
    {
        while (clock.Elapsed < giveUp)
        {
            try
            {
                MaskResult result;
                var roll = rng.NextDouble();
                if (roll < 0.15 && acked.Count > 0)
                    result = await rpc.CallAsync<MaskResult>("sessions/undo", new SessionParams { SessionId = session, Format = "raw" });
                else if (roll < 0.35)
                    result = await rpc.CallAsync<MaskResult>("sessions/interact", new InteractParams
                    {
                        SessionId = session, Format = "raw",
                        Scribble = new ScribbleDto { Points = [[rng.Next(W), rng.Next(H)], [rng.Next(W), rng.Next(H)]], Positive = rng.NextDouble() < 0.5 },
                    });
                else
                    result = await rpc.CallAsync<MaskResult>("sessions/interact", new InteractParams
                    {
                        SessionId = session, Format = "raw",
                        Click = new ClickDto { X = rng.Next(W), Y = rng.Next(H), Positive = rng.NextDouble() < 0.6 },
                    });
                acked.Count = result.InteractionCount;
                acked.Mask = result.Data ?? new byte[W * H];
            }
            catch (Exception e) when (e is ConnectionLostException or ObjectDisposedException or RemoteInvocationException or IOException or TimeoutException)
            {
                if (e is RemoteInvocationException) continue; // e.g. a random scribble fully outside: refused, nothing changed
                return;
            }
        }
    }
}
