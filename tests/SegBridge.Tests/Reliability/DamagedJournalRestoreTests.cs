using System.Text;
using SegBridge.Engine.Journal;
using SegBridge.Protocol.Messages;
using SegBridge.Tests.Support;
using StreamJsonRpc;
using Xunit.Abstractions;

namespace SegBridge.Tests.Reliability;

/// <summary>
/// A journal of 7 acknowledged clicks with its 4th record damaged, then a restart: the damaged record is quarantined
/// beside the journal and the 6 good clicks (3 before it, 3 after) are restored with the mask they give.
/// </summary>
public sealed class DamagedJournalRestoreTests(ITestOutputHelper output)
{
    private const int W = 120, H = 100;
    private static readonly (int X, int Y, bool Positive)[] Clicks = [(60, 50, true), (5, 5, false), (70, 45, true), (110, 90, false), (50, 60, true), (20, 80, false), (65, 35, true)];

    [Theory]
    [InlineData("half-cut")]
    [InlineData("garbage")]
    public async Task A_damaged_record_in_the_middle_is_quarantined_and_the_six_good_interactions_are_restored(string kind)
    {
        var state = Directory.CreateTempSubdirectory("segbridge-damaged").FullName;
        var imagePath = TestImages.DiskPngFile();
        string session;
        var (engine, rpc) = EngineProcess.StartStdio("--state-dir", state);
        await using (engine)
        using (rpc)
        {
            await rpc.InitializeAsync();
            var image = await rpc.CallAsync<ImageInfo>("images/open", new OpenImageParams { Path = imagePath });
            session = (await rpc.CallAsync<SessionInfo>("sessions/create", new CreateSessionParams { ImageId = image.ImageId, ModelId = "random-walker" })).SessionId;
            foreach (var c in Clicks) await Click(rpc, session, c);
            engine.Process.Kill();
            await engine.Process.WaitForExitAsync();
        }

        var journal = Path.Combine(state, "sessions", session + ".jsonl");
        var lines = File.ReadAllText(journal).Split('\n')[..^1].Select(l => l + "\n").ToArray();
        Assert.Equal(8, lines.Length); // create + 7 clicks
        var fourth = lines[4];
        var damaged = kind == "half-cut" ? fourth[..(fourth.Length / 2)] : "\u0000\u0000garbage, not a record\u00ff\n";
        lines[4] = damaged;
        File.WriteAllText(journal, string.Concat(lines));
        var good = Clicks.Where((_, i) => i != 3).ToArray();

        var (restarted, rpc2) = EngineProcess.StartStdio("--state-dir", state);
        await using (restarted)
        using (rpc2)
        {
            await rpc2.InitializeAsync();
            var history = await rpc2.CallAsync<HistoryResult>("sessions/history", new SessionParams { SessionId = session });
            output.WriteLine($"{kind}: restored {history.Interactions.Length} of {Clicks.Length}");
            Assert.Equal(good.Select(c => (c.X, c.Y, c.Positive)), history.Interactions.Select(i => ((int)i.Click!.X, (int)i.Click.Y, i.Click.Positive)));

            // The restored mask is the one the six good clicks give in a fresh session.
            var restoredMask = await rpc2.CallAsync<MaskResult>("sessions/mask", new SessionParams { SessionId = session, Format = "raw" });
            var image = await rpc2.CallAsync<ImageInfo>("images/open", new OpenImageParams { Path = imagePath });
            var fresh = (await rpc2.CallAsync<SessionInfo>("sessions/create", new CreateSessionParams { ImageId = image.ImageId, ModelId = "random-walker" })).SessionId;
            MaskResult last = null!;
            foreach (var c in good) last = await Click(rpc2, fresh, c);
            Assert.Equal(last.Data, restoredMask.Data);

            // The damaged bytes are kept beside the journal, which now holds exactly its good records.
            var quarantined = File.ReadAllBytes(JournalRepair.QuarantinePath(journal));
            Assert.True(quarantined.AsSpan().IndexOf(Encoding.UTF8.GetBytes(damaged)) >= 0);
            Assert.True(JournalReader.Read(journal).IsClean);

            // New interactions follow the good ones and survive another crash.
            await Click(rpc2, session, (40, 40, true));
            restarted.Process.Kill();
            await restarted.Process.WaitForExitAsync();
        }
        var quarantinedBefore = File.ReadAllBytes(JournalRepair.QuarantinePath(journal));

        var (third, rpc3) = EngineProcess.StartStdio("--state-dir", state);
        await using (third)
        using (rpc3)
        {
            await rpc3.InitializeAsync();
            var history = await rpc3.CallAsync<HistoryResult>("sessions/history", new SessionParams { SessionId = session });
            Assert.Equal(7, history.Interactions.Length);
            Assert.Equal((40, 40), ((int)history.Interactions[^1].Click!.X, (int)history.Interactions[^1].Click!.Y));
        }
        Assert.Equal(quarantinedBefore, File.ReadAllBytes(JournalRepair.QuarantinePath(journal))); // nothing new was damaged
        Directory.Delete(state, recursive: true);
        File.Delete(imagePath);
    }

    private static Task<MaskResult> Click(JsonRpc rpc, string session, (int X, int Y, bool Positive) c)
        => rpc.CallAsync<MaskResult>("sessions/interact", new InteractParams
        {
            SessionId = session, Format = "raw", Click = new ClickDto { X = c.X, Y = c.Y, Positive = c.Positive },
        });
}
