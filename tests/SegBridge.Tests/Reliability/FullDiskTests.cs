using SegBridge.Protocol;
using SegBridge.Protocol.Messages;
using SegBridge.Tests.Support;
using StreamJsonRpc;
using Xunit.Abstractions;

namespace SegBridge.Tests.Reliability;

/// <summary>
/// The state folder on a 1 MiB tmpfs that the test fills up: interactions, undos and new sessions the engine cannot
/// journal are refused with 5001 and not applied; once space returns they are taken again; after kill -9 the
/// restart restores exactly what was acknowledged, none of what was refused.
/// </summary>
public sealed class FullDiskTests(ITestOutputHelper output)
{
    private const int W = 120, H = 100;

    [SkippableFact]
    public async Task On_a_full_disk_changes_are_refused_not_applied_and_never_reappear_after_a_crash()
    {
        var (tmpfs, whyNot) = SmallTmpfs.TryMount("1m");
        Skip.If(tmpfs is null, $"{whyNot}; JournalRefusalTests covers the journal itself");
        var mount = tmpfs.Path;
        var imagePath = TestImages.DiskPngFile();
        try
        {
            var state = Path.Combine(mount, "state");
            int acked;
            byte[] ackedMask, secondMask;
            string session, second;
            var (engine, rpc) = EngineProcess.StartStdio("--state-dir", state);
            await using (engine)
            using (rpc)
            {
                await rpc.InitializeAsync();
                var image = await rpc.CallAsync<ImageInfo>("images/open", new OpenImageParams { Path = imagePath });
                session = (await rpc.CallAsync<SessionInfo>("sessions/create", new CreateSessionParams { ImageId = image.ImageId, ModelId = "random-walker" })).SessionId;
                var clicks = ClickSequence().GetEnumerator();
                await Click(rpc, session, clicks);
                var twoClicks = await Click(rpc, session, clicks);
                Assert.Equal(2, twoClicks.InteractionCount);
                (acked, ackedMask) = (twoClicks.InteractionCount, twoClicks.Data ?? new byte[W * H]);

                var filler = tmpfs.FillUp();
                // The journal's last page may still have room for a record or two: click until the first refusal.
                RpcError? refusal = null;
                for (int i = 0; i < 60 && refusal is null; i++)
                {
                    try
                    {
                        var r = await Click(rpc, session, clicks);
                        (acked, ackedMask) = (r.InteractionCount, r.Data ?? new byte[W * H]);
                    }
                    catch (RemoteInvocationException e) { refusal = new RpcError(e.ErrorCode, e.Message); }
                }
                Assert.NotNull(refusal);
                output.WriteLine($"first refusal after {acked} acknowledged: {refusal.Message}");
                // An undo record is shorter than a click's and may still fit where the click did not: undo until refused.
                int undone = 0;
                for (; undone < 10; undone++)
                {
                    try
                    {
                        var r = await rpc.CallAsync<MaskResult>("sessions/undo", new SessionParams { SessionId = session, Format = "raw" });
                        (acked, ackedMask) = (r.InteractionCount, r.Data ?? new byte[W * H]);
                    }
                    catch (RemoteInvocationException e) { Assert.Equal(ErrorCodes.JournalUnavailable, e.ErrorCode); break; }
                }
                Assert.InRange(undone, 0, 9);
                output.WriteLine($"{undone} undos still fitted");
                for (int i = 0; i < 25; i++)
                {
                    var refused = await Refused(rpc, "sessions/interact", NextClick(session, clicks));
                    Assert.Contains("no space left", refused.Message);
                    Assert.DoesNotContain(mount, refused.Message);
                }
                await Refused(rpc, "sessions/undo", new SessionParams { SessionId = session, Format = "raw" });
                await Refused(rpc, "sessions/reset", new SessionParams { SessionId = session, Format = "raw" });
                var created = await Refused(rpc, "sessions/create", new CreateSessionParams { ImageId = image.ImageId, ModelId = "random-walker" });
                Assert.DoesNotContain(mount, created.Message);
                // An image sent as bytes is copied into the state folder with its session: refused too, no half copy left.
                var sent = await rpc.CallAsync<ImageInfo>("images/open", new OpenImageParams { Encoded = File.ReadAllBytes(imagePath) });
                await Refused(rpc, "sessions/create", new CreateSessionParams { ImageId = sent.ImageId, ModelId = "graph-cut" });
                Assert.Empty(Directory.GetFiles(Path.Combine(state, "images")));

                // Nothing refused was applied.
                var now = await rpc.CallAsync<MaskResult>("sessions/mask", new SessionParams { SessionId = session, Format = "raw" });
                Assert.Equal(acked, now.InteractionCount);
                Assert.Equal(ackedMask, now.Data ?? new byte[W * H]);
                var listed = await rpc.CallAsync<SessionListResult>("sessions/list", new EmptyParams());
                Assert.Equal([session], listed.Sessions.Select(s => s.SessionId));
                Assert.Single(Directory.GetFiles(Path.Combine(state, "sessions"), "*.jsonl"));

                // Room again: the next changes are taken and acknowledged.
                File.Delete(filler);
                await Click(rpc, session, clicks);
                var recovered = await Click(rpc, session, clicks);
                Assert.Equal(acked + 2, recovered.InteractionCount);
                (acked, ackedMask) = (recovered.InteractionCount, recovered.Data ?? new byte[W * H]);
                second = (await rpc.CallAsync<SessionInfo>("sessions/create", new CreateSessionParams { ImageId = sent.ImageId, ModelId = "graph-cut" })).SessionId;
                secondMask = (await Click(rpc, second, clicks)).Data ?? new byte[W * H];

                engine.Process.Kill(); // SIGKILL: nothing is flushed on the way out
                await engine.Process.WaitForExitAsync();
            }

            var (restarted, rpc2) = EngineProcess.StartStdio("--state-dir", state);
            await using (restarted)
            using (rpc2)
            {
                await rpc2.InitializeAsync();
                var restored = (await rpc2.CallAsync<SessionListResult>("sessions/list", new EmptyParams())).Sessions.Select(x => x.SessionId).Order().ToList();
                Assert.Equal(new[] { session, second }.Order(), restored);
                var mask = await rpc2.CallAsync<MaskResult>("sessions/mask", new SessionParams { SessionId = session, Format = "raw" });
                output.WriteLine($"acknowledged {acked}, restored {mask.InteractionCount}");
                Assert.Equal(acked, mask.InteractionCount);
                Assert.Equal(ackedMask, mask.Data ?? new byte[W * H]);
                var other = await rpc2.CallAsync<MaskResult>("sessions/mask", new SessionParams { SessionId = second, Format = "raw" });
                Assert.Equal(1, other.InteractionCount);
                Assert.Equal(secondMask, other.Data ?? new byte[W * H]);
                Assert.Empty(Directory.GetFiles(Path.Combine(state, "sessions"), "*.damaged"));
            }
        }
        finally
        {
            tmpfs.Dispose();
            File.Delete(imagePath);
        }
    }

    private static IEnumerable<(int X, int Y, bool Positive)> ClickSequence()
    {
        var rng = new Random(5);
        while (true) yield return (rng.Next(W), rng.Next(H), rng.NextDouble() < 0.6);
    }

    private static InteractParams NextClick(string session, IEnumerator<(int X, int Y, bool Positive)> clicks)
    {
        clicks.MoveNext();
        var (x, y, positive) = clicks.Current;
        return new InteractParams { SessionId = session, Format = "raw", Click = new ClickDto { X = x, Y = y, Positive = positive } };
    }

    private static Task<MaskResult> Click(JsonRpc rpc, string session, IEnumerator<(int X, int Y, bool Positive)> clicks)
        => rpc.CallAsync<MaskResult>("sessions/interact", NextClick(session, clicks));

    private static async Task<RpcError> Refused(JsonRpc rpc, string method, object parameters)
    {
        var error = await rpc.ErrorAsync(method, parameters);
        Assert.True(error.ErrorCode == ErrorCodes.JournalUnavailable, $"{method}: expected {ErrorCodes.JournalUnavailable}, got {error.ErrorCode}: {error.Message}");
        return error;
    }
}
