using SegBridge.Imaging.Encodings;
using SegBridge.Models;
using SegBridge.Models.Torch;
using SegBridge.Protocol.Messages;
using SegBridge.Tests.Support;
using SegBridge.Models.Torch.Guide;
using SegBridge.Tests.Models.Torch.Shared;

namespace SegBridge.Tests.Models.Torch.Guide;

/// <summary>sessions/create with initialMask: a session starts from a guide's prediction, and undo/reset return to it.</summary>
public sealed class GuideSessionTests
{
    [SkippableTheory]
    [InlineData("guide-hist")]
    [InlineData("guide-hist-imagenet")] // the ImageNet-backbone guide: same protocol, its own layout of weights
    public async Task A_session_starts_from_the_guide_prediction_and_undo_and_reset_return_to_it(string guide)
    {
        Skip.If(RepoPaths.Data is null, RepoPaths.NoDataMessage);
        var (image, _) = TorchTestSupport.GlasCrop(100, 60, 400);
        var weights = Path.Combine(RepoPaths.Root, "plugin-manifests", "weights", guide + ".safetensors");
        var expected = new GuideFamily().Create(ModelParameters.Empty, [weights]).Segment(image, [], new ModelSessionState(), default).Mask.Data;
        Assert.Contains((byte)1, expected);

        var (engine, rpc) = EngineProcess.StartStdio();
        await using var _ = engine;
        await rpc.InitializeAsync();
        var img = await rpc.CallAsync<ImageInfo>("images/open", new OpenImageParams { Encoded = MaskPng.EncodeRgb(image) });
        var session = await rpc.CallAsync<SessionInfo>("sessions/create", new CreateSessionParams { ImageId = img.ImageId, ModelId = "graph-cut", InitialMask = guide });
        Assert.Equal(guide, session.InitialMask);
        var start = await rpc.CallAsync<MaskResult>("sessions/mask", new SessionParams { SessionId = session.SessionId, Format = "raw" });
        Assert.Equal(expected, start.Data);

        var clicked = await rpc.CallAsync<MaskResult>("sessions/interact", new InteractParams
        {
            SessionId = session.SessionId, Click = new ClickDto { X = 10, Y = 10, Positive = false }, Format = "raw",
        });
        Assert.NotEqual(expected, clicked.Data);
        var undone = await rpc.CallAsync<MaskResult>("sessions/undo", new SessionParams { SessionId = session.SessionId, Format = "raw" });
        Assert.Equal(expected, undone.Data);
        await rpc.CallAsync<MaskResult>("sessions/redo", new SessionParams { SessionId = session.SessionId, Format = "raw" });
        var reset = await rpc.CallAsync<MaskResult>("sessions/reset", new SessionParams { SessionId = session.SessionId, Format = "raw" });
        Assert.Equal(expected, reset.Data);

        var notGuide = await rpc.ErrorAsync("sessions/create", new CreateSessionParams { ImageId = img.ImageId, ModelId = "graph-cut", InitialMask = "watershed" });
        Assert.Equal(1003, notGuide.ErrorCode);
        Assert.Contains("initialMask 'watershed' is not a guide model", notGuide.Message);
        var unknown = await rpc.ErrorAsync("sessions/create", new CreateSessionParams { ImageId = img.ImageId, ModelId = "graph-cut", InitialMask = "nope" });
        Assert.Equal(2001, unknown.ErrorCode);
    }
}

public sealed class GuideSessionRestoreTests
{
    [SkippableFact]
    public async Task A_killed_engine_restores_the_session_with_its_initial_mask()
    {
        Skip.If(RepoPaths.Data is null, RepoPaths.NoDataMessage);
        var (image, _) = TorchTestSupport.GlasCrop(100, 60, 400);
        var state = Directory.CreateTempSubdirectory("segbridge-guide-restore").FullName;
        var name = $"sbt-guide-{Guid.NewGuid():N}"[..22];
        string sessionId;
        byte[] initial, afterClick;
        var (engine, socket) = await EngineProcess.StartPipeAsync(name, "--state-dir", state);
        await using (engine)
        {
            var stream = await Clients.ConnectSocketAsync(socket);
            using var rpc = Clients.Json(stream, stream);
            await rpc.InitializeAsync();
            var img = await rpc.CallAsync<ImageInfo>("images/open", new OpenImageParams { Encoded = MaskPng.EncodeRgb(image) });
            var session = await rpc.CallAsync<SessionInfo>("sessions/create", new CreateSessionParams { ImageId = img.ImageId, ModelId = "graph-cut", InitialMask = "guide-hist" });
            sessionId = session.SessionId;
            initial = (await rpc.CallAsync<MaskResult>("sessions/mask", new SessionParams { SessionId = sessionId, Format = "raw" })).Data!;
            afterClick = (await rpc.CallAsync<MaskResult>("sessions/interact", new InteractParams
            {
                SessionId = sessionId, Click = new ClickDto { X = 10, Y = 10, Positive = false }, Format = "raw",
            })).Data!;
            engine.Process.Kill(); // SIGKILL
            await engine.Process.WaitForExitAsync();
        }
        var (restarted, socket2) = await EngineProcess.StartPipeAsync(name, "--state-dir", state);
        await using (restarted)
        {
            var stream = await Clients.ConnectSocketAsync(socket2);
            using var rpc = Clients.Json(stream, stream);
            await rpc.InitializeAsync();
            var info = Assert.Single((await rpc.CallAsync<SessionListResult>("sessions/list", new EmptyParams())).Sessions, s => s.SessionId == sessionId);
            Assert.Equal("guide-hist", info.InitialMask);
            Assert.Equal(afterClick, (await rpc.CallAsync<MaskResult>("sessions/mask", new SessionParams { SessionId = sessionId, Format = "raw" })).Data);
            Assert.Equal(initial, (await rpc.CallAsync<MaskResult>("sessions/undo", new SessionParams { SessionId = sessionId, Format = "raw" })).Data);
        }
        Directory.Delete(state, recursive: true);
    }
}
