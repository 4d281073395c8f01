using SegBridge.Protocol.Messages;
using SegBridge.Tests.Support;

namespace SegBridge.Tests.Integration;

/// <summary>sessions/reset is undoable, as an editor's "clear" is, and the undone reset survives an engine restart.</summary>
public sealed class ResetUndoTests
{
    [Fact]
    public async Task Undo_after_reset_brings_the_interactions_back_and_a_restart_keeps_that()
    {
        var stateDir = Directory.CreateTempSubdirectory("segbridge-reset").FullName;
        var png = TestImages.DiskPngFile();
        string sessionId;
        long clicked;
        var (engine, rpc) = EngineProcess.StartStdio("--state-dir", stateDir);
        await using (engine)
        using (rpc)
        {
            await rpc.InitializeAsync();
            var img = await rpc.CallAsync<ImageInfo>("images/open", new OpenImageParams { Path = png });
            sessionId = (await rpc.CallAsync<SessionInfo>("sessions/create", new CreateSessionParams { ImageId = img.ImageId, ModelId = "watershed" })).SessionId;
            await rpc.CallAsync<MaskResult>("sessions/interact", new InteractParams { SessionId = sessionId, Click = new ClickDto { X = 60, Y = 50 } });
            clicked = (await rpc.CallAsync<MaskResult>("sessions/interact", new InteractParams { SessionId = sessionId, Click = new ClickDto { X = 5, Y = 5, Positive = false } })).ForegroundPixels;

            var reset = await rpc.CallAsync<MaskResult>("sessions/reset", new SessionParams { SessionId = sessionId });
            Assert.Equal((0, 0L), (reset.InteractionCount, reset.ForegroundPixels));

            var undone = await rpc.CallAsync<MaskResult>("sessions/undo", new SessionParams { SessionId = sessionId });
            Assert.Equal((2, clicked), (undone.InteractionCount, undone.ForegroundPixels));

            // Redo re-applies the reset, and undo takes it back again.
            var redone = await rpc.CallAsync<MaskResult>("sessions/redo", new SessionParams { SessionId = sessionId });
            Assert.Equal(0, redone.InteractionCount);
            var history = await rpc.CallAsync<HistoryResult>("sessions/history", new SessionParams { SessionId = sessionId });
            Assert.Empty(history.Interactions);
            await rpc.CallAsync<MaskResult>("sessions/undo", new SessionParams { SessionId = sessionId });
            history = await rpc.CallAsync<HistoryResult>("sessions/history", new SessionParams { SessionId = sessionId });
            Assert.Equal(2, history.Interactions.Length);
            Assert.Equal("reset", Assert.Single(history.Redoable).Type);
        }

        var (again, rpc2) = EngineProcess.StartStdio("--state-dir", stateDir);
        await using (again)
        using (rpc2)
        {
            await rpc2.InitializeAsync();
            var mask = await rpc2.CallAsync<MaskResult>("sessions/mask", new SessionParams { SessionId = sessionId });
            Assert.Equal((2, clicked), (mask.InteractionCount, mask.ForegroundPixels));
            // One more undo pops the last click; the one before it is what remains.
            var one = await rpc2.CallAsync<MaskResult>("sessions/undo", new SessionParams { SessionId = sessionId });
            Assert.Equal(1, one.InteractionCount);
        }
        Directory.Delete(stateDir, recursive: true);
    }
}
